import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  nodesAfter,
  runGraph,
  tailParamNames,
  type GraphSpec,
} from '../../../src/lib/embedding/graph';
import { seededRandom as prng } from '../../../src/lib/math/seeded-random';

/** A plain NHWC array for the reference implementation. */
interface Arr {
  shape: number[];
  data: Float32Array;
}

function randomArr(rand: () => number, shape: number[]): Arr {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float32Array.from({ length: n }, () => rand() * 2 - 1) };
}

function dims4(a: Arr): [number, number, number, number] {
  const [n = 0, h = 0, w = 0, c = 0] = a.shape;
  return [n, h, w, c];
}

/** Naive NHWC conv2d, filter HWIO, symmetric zero padding. */
function refConv(x: Arr, f: Arr, bias: Arr, stride: number, pad: number): Arr {
  const [n, h, w, cin] = dims4(x);
  const [kh = 0, kw = 0, fin = 0, cout = 0] = f.shape;
  expect(fin).toBe(cin);
  const oh = Math.floor((h + 2 * pad - kh) / stride) + 1;
  const ow = Math.floor((w + 2 * pad - kw) / stride) + 1;
  const out = new Float32Array(n * oh * ow * cout);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let co = 0; co < cout; co++) {
          let sum = bias.data[co] ?? 0;
          for (let ky = 0; ky < kh; ky++)
            for (let kx = 0; kx < kw; kx++) {
              const iy = oy * stride - pad + ky;
              const ix = ox * stride - pad + kx;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              for (let ci = 0; ci < cin; ci++) {
                const xv = x.data[((b * h + iy) * w + ix) * cin + ci] ?? 0;
                const fv = f.data[((ky * kw + kx) * cin + ci) * cout + co] ?? 0;
                sum += xv * fv;
              }
            }
          out[((b * oh + oy) * ow + ox) * cout + co] = sum;
        }
  return { shape: [n, oh, ow, cout], data: out };
}

/** Naive NHWC depthwise conv, filter [kh, kw, C, 1]. */
function refDwConv(x: Arr, f: Arr, bias: Arr, stride: number, pad: number): Arr {
  const [n, h, w, c] = dims4(x);
  const [kh = 0, kw = 0] = f.shape;
  const oh = Math.floor((h + 2 * pad - kh) / stride) + 1;
  const ow = Math.floor((w + 2 * pad - kw) / stride) + 1;
  const out = new Float32Array(n * oh * ow * c);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let ch = 0; ch < c; ch++) {
          let sum = bias.data[ch] ?? 0;
          for (let ky = 0; ky < kh; ky++)
            for (let kx = 0; kx < kw; kx++) {
              const iy = oy * stride - pad + ky;
              const ix = ox * stride - pad + kx;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              sum +=
                (x.data[((b * h + iy) * w + ix) * c + ch] ?? 0) *
                (f.data[(ky * kw + kx) * c + ch] ?? 0);
            }
          out[((b * oh + oy) * ow + ox) * c + ch] = sum;
        }
  return { shape: [n, oh, ow, c], data: out };
}

function refPrelu(x: Arr, alpha: Arr): Arr {
  const c = x.shape[x.shape.length - 1] ?? 1;
  return {
    shape: x.shape,
    data: x.data.map((v, i) => (v > 0 ? v : (alpha.data[i % c] ?? 0) * v)),
  };
}

function refAdd(a: Arr, b: Arr): Arr {
  return { shape: a.shape, data: a.data.map((v, i) => v + (b.data[i] ?? 0)) };
}

const spec: GraphSpec = {
  input: 'x',
  output: 'out',
  nodes: [
    { op: 'conv', input: 'x', output: 'c1', filter: 'c1.w', bias: 'c1.b', stride: 2, pad: 1 },
    { op: 'prelu', input: 'c1', output: 'p1', alpha: 'p1.a' },
    { op: 'dwconv', input: 'p1', output: 'd1', filter: 'd1.w', bias: 'd1.b', stride: 1, pad: 1 },
    { op: 'add', inputs: ['p1', 'd1'], output: 'r1' },
    { op: 'conv', input: 'r1', output: 'c2', filter: 'c2.w', bias: 'c2.b', stride: 1, pad: 0 },
    { op: 'flatten', input: 'c2', output: 'out' },
  ],
};

const rand = prng(7);
const raw: Record<string, Arr> = {
  'c1.w': randomArr(rand, [3, 3, 2, 4]),
  'c1.b': randomArr(rand, [4]),
  // Alphas of both signs and magnitudes so the negative branch matters.
  'p1.a': { shape: [4], data: Float32Array.from([0.25, -0.5, 1.5, 0]) },
  'd1.w': randomArr(rand, [3, 3, 4, 1]),
  'd1.b': randomArr(rand, [4]),
  'c2.w': randomArr(rand, [1, 1, 4, 3]),
  'c2.b': randomArr(rand, [3]),
};
const input = randomArr(rand, [2, 8, 8, 2]);

function p(name: string): Arr {
  const a = raw[name];
  if (!a) throw new Error(name);
  return a;
}

function reference(x: Arr): Record<string, Arr> {
  const c1 = refConv(x, p('c1.w'), p('c1.b'), 2, 1);
  const p1 = refPrelu(c1, p('p1.a'));
  const d1 = refDwConv(p1, p('d1.w'), p('d1.b'), 1, 1);
  const r1 = refAdd(p1, d1);
  const c2 = refConv(r1, p('c2.w'), p('c2.b'), 1, 0);
  const out = { shape: [c2.shape[0] ?? 0, c2.data.length / (c2.shape[0] ?? 1)], data: c2.data };
  return { c1, p1, d1, r1, c2, out };
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-4): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs((actual[i] ?? Number.NaN) - (expected[i] ?? 0)));
  }
  expect(worst).toBeLessThan(tol);
}

let params: Map<string, tf.Tensor>;

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
  params = new Map(Object.entries(raw).map(([k, v]) => [k, tf.tensor(v.data, v.shape)]));
});

function run(
  x: Arr,
  options?: { from?: string; to?: string },
): { shape: number[]; data: Float32Array } {
  return tf.tidy(() => {
    const out = runGraph(spec, params, tf.tensor(x.data, x.shape), options);
    return { shape: out.shape, data: out.dataSync() as Float32Array };
  });
}

describe('runGraph', () => {
  it('matches a naive NHWC implementation of conv/prelu/dwconv/add/conv/flatten', () => {
    const ref = reference(input);
    const got = run(input);
    expect(got.shape).toEqual([2, 48]);
    expect(ref.out?.shape).toEqual([2, 48]);
    expectClose(got.data, ref.out?.data ?? []);
  });

  it('stops at an intermediate tensor with `to`', () => {
    const ref = reference(input);
    for (const name of ['c1', 'p1', 'd1', 'r1', 'c2']) {
      const got = run(input, { to: name });
      expect(got.shape).toEqual(ref[name]?.shape);
      expectClose(got.data, ref[name]?.data ?? []);
    }
  });

  it('running the tail from a cut equals running the whole graph', () => {
    const whole = run(input);
    for (const cut of ['c1', 'p1', 'r1', 'c2']) {
      const tail = tf.tidy(() => {
        const mid = runGraph(spec, params, tf.tensor(input.data, input.shape), { to: cut });
        return runGraph(spec, params, mid, { from: cut }).dataSync() as Float32Array;
      });
      expectClose(tail, whole.data, 1e-6);
    }
  });

  it('running from the graph input is the whole graph', () => {
    expect(Array.from(run(input, { from: 'x' }).data)).toEqual(Array.from(run(input).data));
  });

  it('fails clearly when a parameter is missing or `to` is never produced', () => {
    const partial = new Map(params);
    partial.delete('c2.b');
    expect(() =>
      tf.tidy(() => runGraph(spec, partial, tf.tensor(input.data, input.shape))),
    ).toThrow(/lack "c2\.b"/);
    expect(() =>
      tf.tidy(() => runGraph(spec, params, tf.tensor(input.data, input.shape), { to: 'nope' })),
    ).toThrow(/never produced "nope"/);
  });

  it('leaks no tensors when called inside tf.tidy', () => {
    const x = tf.tensor(input.data, input.shape);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      runGraph(spec, params, x);
      const mid = runGraph(spec, params, x, { to: 'r1' });
      runGraph(spec, params, mid, { from: 'r1' });
    });
    expect(tf.memory().numTensors).toBe(before);
    const kept = tf.tidy(() => runGraph(spec, params, x));
    expect(tf.memory().numTensors).toBe(before + 1);
    kept.dispose();
    x.dispose();
    expect(tf.memory().numTensors).toBe(before - 1);
  });

  it('lets gradients flow to tail parameters', () => {
    const bias = tf.variable(tf.zeros([3]));
    const withVar = new Map(params);
    withVar.set('c2.b', bias);
    const mid = tf.tidy(() =>
      runGraph(spec, params, tf.tensor(input.data, input.shape), { to: 'r1' }),
    );
    const { grads } = tf.variableGrads(() =>
      tf.sum<tf.Scalar>(runGraph(spec, withVar, mid, { from: 'r1' })),
    );
    // d(sum)/d(bias_k) = number of output positions = N * H * W = 2 * 4 * 4.
    expect(Array.from(grads[bias.name]?.dataSync() ?? [])).toEqual([32, 32, 32]);
    tf.dispose([mid, bias, ...Object.values(grads)]);
  });
});

describe('nodesAfter / tailParamNames', () => {
  it('returns the nodes after a valid cut in graph order', () => {
    expect(nodesAfter(spec, 'r1').map((n) => n.output)).toEqual(['c2', 'out']);
    expect(nodesAfter(spec, 'p1').map((n) => n.output)).toEqual(['d1', 'r1', 'c2', 'out']);
    expect(nodesAfter(spec, 'x')).toEqual(spec.nodes);
    expect(nodesAfter(spec, 'out')).toEqual([]);
  });

  it('throws when a residual branch crosses the cut', () => {
    // Cutting at d1 leaves p1 (read by the add) on the other side.
    expect(() => nodesAfter(spec, 'd1')).toThrow(/cannot cut the graph at "d1": "p1" crosses it/);
    expect(() => tailParamNames(spec, 'd1')).toThrow(/crosses it/);
    expect(() =>
      tf.tidy(() => runGraph(spec, params, tf.zeros([2, 4, 4, 4]), { from: 'd1' })),
    ).toThrow(/crosses it/);
  });

  it('throws on an unknown tensor name', () => {
    expect(() => nodesAfter(spec, 'nope')).toThrow(/no tensor "nope"/);
    expect(() => tailParamNames(spec, 'c1.w')).toThrow(/no tensor "c1\.w"/);
  });

  it('lists exactly the parameters of the tail', () => {
    expect(tailParamNames(spec, 'r1')).toEqual(['c2.w', 'c2.b']);
    expect(tailParamNames(spec, 'c1')).toEqual(['p1.a', 'd1.w', 'd1.b', 'c2.w', 'c2.b']);
    expect(tailParamNames(spec, 'x').sort()).toEqual(Object.keys(raw).sort());
    expect(tailParamNames(spec, 'c2')).toEqual([]);
  });
});

describe('fast paths match the generic ops', () => {
  it('global depthwise conv and 1x1 conv equal tf.depthwiseConv2d and tf.conv2d', async () => {
    await tf.setBackend('cpu');
    const x = tf.randomNormal([3, 7, 7, 16], 0, 1, 'float32', 5);
    const dw = tf.randomNormal([7, 7, 16, 1], 0, 1, 'float32', 6);
    const pw = tf.randomNormal([1, 1, 16, 8], 0, 1, 'float32', 7);
    const zeros16 = tf.zeros([16]);
    const zeros8 = tf.zeros([8]);
    const spec: GraphSpec = {
      input: 'x',
      output: 'z',
      nodes: [
        { op: 'dwconv', input: 'x', output: 'y', filter: 'dw', bias: 'b16', stride: 1, pad: 0 },
        { op: 'conv', input: 'y', output: 'z', filter: 'pw', bias: 'b8', stride: 1, pad: 0 },
      ],
    };
    const params = new Map<string, tf.Tensor>([
      ['dw', dw],
      ['pw', pw],
      ['b16', zeros16],
      ['b8', zeros8],
    ]);
    const fast = runGraph(spec, params, x);
    const generic = tf.conv2d(
      tf.depthwiseConv2d(x as tf.Tensor4D, dw as tf.Tensor4D, 1, 0),
      pw as tf.Tensor4D,
      1,
      0,
    );
    expect(fast.shape).toEqual(generic.shape);
    const diff = tf.max(tf.abs(tf.sub(fast, generic))).dataSync()[0] ?? 1;
    expect(diff).toBeLessThan(1e-3);
    tf.dispose([x, dw, pw, zeros16, zeros8, fast, generic]);
  });
});
