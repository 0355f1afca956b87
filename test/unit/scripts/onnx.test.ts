import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { runGraph } from '../../../src/lib/embedding/graph';
import onnxProto from 'onnx-proto';
import { parseOnnx, type OnnxTensor } from '../../../scripts/lib/onnx';
import { onnxToGraph } from '../../../scripts/lib/onnx-to-graph';
import { seededRandom as prng } from '../../../src/lib/math/seeded-random';

// ---- Test models, written with onnx-proto's encoder -------------------------------------

const { onnx } = onnxProto;
const { AttributeType } = onnx.AttributeProto;
type Attr = onnxProto.onnx.IAttributeProto;
type Tensor = onnxProto.onnx.ITensorProto;
type ValueInfo = onnxProto.onnx.IValueInfoProto;

const attrInt = (name: string, i: number): Attr => ({ name, i, type: AttributeType.INT });
const attrFloat = (name: string, f: number): Attr => ({ name, f, type: AttributeType.FLOAT });
const attrString = (name: string, s: string): Attr => ({
  name,
  s: new TextEncoder().encode(s),
  type: AttributeType.STRING,
});
const attrInts = (name: string, ints: number[]): Attr => ({
  name,
  ints,
  type: AttributeType.INTS,
});

function node(op: string, name: string, input: string[], output: string[], attribute: Attr[] = []) {
  return { opType: op, name, input, output, attribute };
}

/** FLOAT tensor with its values in raw_data (as PyTorch writes them) or in float_data. */
function floatTensor(name: string, dims: number[], values: Float32Array, raw: boolean): Tensor {
  const data = raw
    ? { rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) }
    : { floatData: Array.from(values) };
  return { name, dims, dataType: 1, ...data };
}
const int64Tensor = (name: string, values: number[]): Tensor => ({
  name,
  dims: [values.length],
  dataType: 7,
  int64Data: values,
});

/** A tensor-typed ValueInfoProto; a string dim is a dim_param. */
function valueInfo(name: string, dims: (number | string)[]): ValueInfo {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType: 1, shape: { dim } } } };
}

function model(graph: {
  nodes: onnxProto.onnx.INodeProto[];
  initializers: Tensor[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8,
    producerName: 'test-writer',
    producerVersion: '0.1',
    opsetImport: [
      { domain: '', version: 13 },
      { domain: 'com.example', version: 2 },
    ],
    graph: {
      name: 'test-graph',
      node: graph.nodes,
      initializer: graph.initializers,
      input: graph.inputs,
      output: graph.outputs,
    },
  }).finish();
}

// ---- The test model: Conv(2 -> 3, 3x3, pad 1) -> PRelu -> Reshape ------------------------

const N = 1;
const CIN = 2;
const COUT = 3;
const H = 5;
const W = 4;
const rand = prng(314);
const convW = Float32Array.from({ length: COUT * CIN * 9 }, () => rand() * 2 - 1); // OIHW
const convB = Float32Array.from({ length: COUT }, () => rand() - 0.5);
const slope = Float32Array.from([0.1, -0.3, 2]);
const xNchw = Float32Array.from({ length: N * CIN * H * W }, () => rand() * 2 - 1);

interface ConvOptions {
  pads?: number[];
  group?: number;
  wDims?: number[];
  w?: Float32Array;
  extraOp?: string;
}

function testModel(opts: ConvOptions = {}): Uint8Array {
  const convAttrs = [
    attrInt('group', opts.group ?? 1),
    attrInts('kernel_shape', [3, 3]),
    attrInts('pads', opts.pads ?? [1, 1, 1, 1]),
    attrInts('strides', [1, 1]),
    attrInts('dilations', [1, 1]),
    attrString('auto_pad', 'NOTSET'),
  ];
  const nodes = [
    node('Conv', 'conv0', ['x', 'W', 'B'], ['c'], convAttrs),
    node('PRelu', 'prelu0', ['c', 'slope'], ['p'], [attrFloat('unused_f', 0.25)]),
    node('Reshape', 'reshape0', ['p', 'shape'], ['y']),
  ];
  if (opts.extraOp) nodes.push(node(opts.extraOp, 'extra0', ['y'], ['z']));
  return model({
    nodes,
    initializers: [
      floatTensor('W', opts.wDims ?? [COUT, CIN, 3, 3], opts.w ?? convW, true),
      floatTensor('B', [COUT], convB, false),
      floatTensor('slope', [COUT, 1, 1], slope, false),
      int64Tensor('shape', [1, 60]),
    ],
    // Older exporters list initializers among the inputs too; the parser drops them.
    inputs: [valueInfo('x', ['N', CIN, H, W]), valueInfo('W', [COUT, CIN, 3, 3])],
    outputs: [valueInfo(opts.extraOp ? 'z' : 'y', ['N', 60])],
  });
}

/** Naive NCHW grouped conv (OIHW weights), stride 1, symmetric zero padding. */
function refConvNchw(
  x: Float32Array,
  [n, cin, h, w]: number[],
  weight: Float32Array,
  [cout, cinPerGroup]: number[],
  bias: Float32Array,
  pad: number,
  group: number,
): Float32Array {
  const out = new Float32Array((n ?? 0) * (cout ?? 0) * (h ?? 0) * (w ?? 0));
  const [N_, CI, H_, W_, CO, CG] = [n ?? 0, cin ?? 0, h ?? 0, w ?? 0, cout ?? 0, cinPerGroup ?? 0];
  const outPerGroup = CO / group;
  for (let b = 0; b < N_; b++)
    for (let o = 0; o < CO; o++)
      for (let y = 0; y < H_; y++)
        for (let xx = 0; xx < W_; xx++) {
          let sum = bias[o] ?? 0;
          const g = Math.floor(o / outPerGroup);
          for (let i = 0; i < CG; i++) {
            const ci = g * CG + i;
            for (let ky = 0; ky < 3; ky++)
              for (let kx = 0; kx < 3; kx++) {
                const iy = y - pad + ky;
                const ix = xx - pad + kx;
                if (iy < 0 || iy >= H_ || ix < 0 || ix >= W_) continue;
                sum +=
                  (x[((b * CI + ci) * H_ + iy) * W_ + ix] ?? 0) *
                  (weight[((o * CG + i) * 3 + ky) * 3 + kx] ?? 0);
              }
          }
          out[((b * CO + o) * H_ + y) * W_ + xx] = sum;
        }
  return out;
}

function nchwToNhwc(x: Float32Array, n: number, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let xx = 0; xx < w; xx++)
          out[((b * h + y) * w + xx) * c + ch] = x[((b * c + ch) * h + y) * w + xx] ?? 0;
  return out;
}

function runConverted(bytes: Uint8Array): Float32Array {
  const { spec, weights } = onnxToGraph(parseOnnx(bytes));
  return tf.tidy(() => {
    const params = new Map(weights.map((w) => [w.name, tf.tensor(w.values, w.shape)]));
    const x = tf.tensor4d(nchwToNhwc(xNchw, N, CIN, H, W), [N, H, W, CIN]);
    const out = runGraph(spec, params, x).dataSync() as Float32Array;
    return Float32Array.from(out);
  });
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-4): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs((actual[i] ?? Number.NaN) - (expected[i] ?? 0)));
  }
  expect(worst).toBeLessThan(tol);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

// ---- Tests -------------------------------------------------------------------------------

describe('parseOnnx', () => {
  const g = parseOnnx(testModel());

  it('reads the model header', () => {
    expect(g.producer).toBe('test-writer');
    expect(g.opsetVersion).toBe(13);
  });

  it('reads nodes with their inputs, outputs and attributes', () => {
    expect(g.nodes.map((n) => [n.opType, n.name, n.inputs, n.outputs])).toEqual([
      ['Conv', 'conv0', ['x', 'W', 'B'], ['c']],
      ['PRelu', 'prelu0', ['c', 'slope'], ['p']],
      ['Reshape', 'reshape0', ['p', 'shape'], ['y']],
    ]);
    expect(g.nodes[0]?.attrs).toEqual({
      group: 1,
      kernel_shape: [3, 3],
      pads: [1, 1, 1, 1],
      strides: [1, 1],
      dilations: [1, 1],
      auto_pad: 'NOTSET',
    });
    expect(g.nodes[1]?.attrs.unused_f).toBe(0.25);
    expect(g.nodes[2]?.attrs).toEqual({});
  });

  it('reads float initializers from raw_data and from float_data', () => {
    const w = g.initializers.get('W') as OnnxTensor;
    expect(w.dims).toEqual([COUT, CIN, 3, 3]);
    expect(w.dataType).toBe(1);
    expect(w.raw?.length).toBe(convW.length * 4);
    expect(Array.from(w.floats ?? [])).toEqual(Array.from(convW));
    const b = g.initializers.get('B') as OnnxTensor;
    expect(b.raw).toBeNull();
    expect(Array.from(b.floats ?? [])).toEqual(Array.from(convB));
    const s = g.initializers.get('slope') as OnnxTensor;
    expect(s.dims).toEqual([COUT, 1, 1]);
    expect(Array.from(s.floats ?? [])).toEqual(Array.from(slope));
  });

  it('reads int64 initializers', () => {
    const shape = g.initializers.get('shape') as OnnxTensor;
    expect(shape.dataType).toBe(7);
    expect(shape.floats).toBeNull();
    expect(shape.dims).toEqual([2]);
    expect(shape.ints).toEqual([1, 60]);
  });

  it('reads graph inputs/outputs, dropping inputs that are initializers', () => {
    expect(g.inputs).toEqual([{ name: 'x', dims: ['N', CIN, H, W] }]);
    expect(g.outputs).toEqual([{ name: 'y', dims: ['N', 60] }]);
  });

  it('reads a Buffer-like view into a larger ArrayBuffer', () => {
    const bytes = testModel();
    const padded = new Uint8Array(bytes.length + 5);
    padded.set(bytes, 3);
    const view = padded.subarray(3, 3 + bytes.length);
    const again = parseOnnx(view);
    expect(Array.from(again.initializers.get('W')?.floats ?? [])).toEqual(Array.from(convW));
    expect(again.nodes.length).toBe(3);
  });

  // Regression: under Node the decoder hands raw_data back as Buffer views into the whole file,
  // and reading floats from such a view's .buffer once read the file's first bytes instead.
  it('reads raw_data right from a Node Buffer (the way the script reads the file)', () => {
    const bytes = testModel();
    const file = Buffer.concat([Buffer.alloc(7, 1), Buffer.from(bytes)]).subarray(7);
    const parsed = parseOnnx(file);
    expect(Array.from(parsed.initializers.get('W')?.floats ?? [])).toEqual(Array.from(convW));
  });

  // Regression: values were once accumulated in a way that lost these.
  it('reads negative int64 attributes and tensor values', () => {
    const bytes = model({
      nodes: [node('Flatten', 'f', ['x'], ['y'], [attrInt('axis', -1), attrInts('perm', [-2, 3])])],
      initializers: [int64Tensor('shape', [1, -1])],
      inputs: [valueInfo('x', [1, 4])],
      outputs: [valueInfo('y', [1, 4])],
    });
    const parsed = parseOnnx(bytes);
    expect(parsed.nodes[0]?.attrs).toEqual({ axis: -1, perm: [-2, 3] });
    expect(parsed.initializers.get('shape')?.ints).toEqual([1, -1]);
  });

  it('throws on garbage bytes', () => {
    expect(() => parseOnnx(new Uint8Array(0))).toThrow(/no graph found/);
    expect(() => parseOnnx(new TextEncoder().encode('this is not an onnx file'))).toThrow();
    const r = prng(77);
    for (let k = 0; k < 20; k++) {
      const junk = Uint8Array.from({ length: 64 + k }, () => Math.floor(r() * 256));
      expect(() => parseOnnx(junk)).toThrow();
    }
  });

  it('throws on a truncated model', () => {
    const bytes = testModel();
    expect(() => parseOnnx(bytes.subarray(0, Math.floor(bytes.length / 2)))).toThrow(/ONNX/);
    expect(() => parseOnnx(bytes.subarray(0, bytes.length - 1))).toThrow(/ONNX/);
  });
});

describe('onnxToGraph', () => {
  it('converts Conv + PRelu + Reshape into conv/prelu/flatten with NHWC weights', () => {
    const { spec, weights } = onnxToGraph(parseOnnx(testModel()));
    expect(spec.input).toBe('x');
    expect(spec.output).toBe('y');
    expect(spec.nodes).toEqual([
      {
        op: 'conv',
        input: 'x',
        output: 'c',
        filter: 'n0.filter',
        bias: 'n0.bias',
        stride: 1,
        pad: 1,
      },
      { op: 'prelu', input: 'c', output: 'p', alpha: 'n1.alpha' },
      { op: 'flatten', input: 'p', output: 'y' },
    ]);
    expect(weights.map((w) => [w.name, w.shape])).toEqual([
      ['n0.filter', [3, 3, CIN, COUT]],
      ['n0.bias', [COUT]],
      ['n1.alpha', [COUT]],
    ]);
  });

  it('transposes OIHW -> HWIO element by element', () => {
    const { weights } = onnxToGraph(parseOnnx(testModel()));
    const filter = weights.find((w) => w.name === 'n0.filter');
    for (let o = 0; o < COUT; o++)
      for (let i = 0; i < CIN; i++)
        for (let y = 0; y < 3; y++)
          for (let x = 0; x < 3; x++) {
            expect(filter?.values[((y * 3 + x) * CIN + i) * COUT + o]).toBe(
              convW[((o * CIN + i) * 3 + y) * 3 + x],
            );
          }
  });

  it('runs like a naive NCHW conv + PRelu on the original weights', () => {
    const conv = refConvNchw(xNchw, [N, CIN, H, W], convW, [COUT, CIN], convB, 1, 1);
    const act = conv.map((v, k) => {
      const c = Math.floor(k / (H * W)) % COUT;
      return v > 0 ? v : (slope[c] ?? 0) * v;
    });
    // Our flatten is over NHWC, so compare against the reference in HWC order.
    expectClose(runConverted(testModel()), nchwToNhwc(act, N, COUT, H, W));
  });

  it('converts a depthwise Conv (group = channels) to dwconv with a C1HW -> HWC1 filter', () => {
    const dw = Float32Array.from({ length: CIN * 9 }, () => rand() * 2 - 1);
    const bytes = model({
      nodes: [
        node(
          'Conv',
          'dw',
          ['x', 'W'],
          ['y'],
          [attrInt('group', CIN), attrInts('pads', [1, 1, 1, 1])],
        ),
      ],
      initializers: [floatTensor('W', [CIN, 1, 3, 3], dw, true)],
      inputs: [valueInfo('x', [N, CIN, H, W])],
      outputs: [valueInfo('y', [N, CIN, H, W])],
    });
    const { spec, weights } = onnxToGraph(parseOnnx(bytes));
    expect(spec.nodes[0]?.op).toBe('dwconv');
    expect(weights.map((w) => [w.name, w.shape])).toEqual([
      ['n0.filter', [3, 3, CIN, 1]],
      ['n0.bias', [CIN]],
    ]);
    expect(Array.from(weights[1]?.values ?? [])).toEqual(new Array(CIN).fill(0));
    const got = runConverted(bytes);
    const ref = refConvNchw(xNchw, [N, CIN, H, W], dw, [CIN, 1], new Float32Array(CIN), 1, CIN);
    expectClose(got, nchwToNhwc(ref, N, CIN, H, W));
  });

  it('throws on an unsupported op', () => {
    expect(() => onnxToGraph(parseOnnx(testModel({ extraOp: 'MaxPool' })))).toThrow(
      /op MaxPool \(extra0\) is not supported/,
    );
  });

  it('throws on asymmetric padding', () => {
    expect(() => onnxToGraph(parseOnnx(testModel({ pads: [0, 0, 1, 1] })))).toThrow(
      /conv0 has asymmetric padding/,
    );
  });

  it('throws on a grouped conv that is not depthwise', () => {
    // group 2 with 3 output channels over 2 inputs: not one filter per channel.
    expect(() => onnxToGraph(parseOnnx(testModel({ group: 2, wDims: [COUT, 1, 3, 3] })))).toThrow(
      /grouped conv that is not depthwise/,
    );
  });
});
