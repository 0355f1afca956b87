import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients; the app/worker entry point does this in production.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  COS_EPS,
  cosineMatrix,
  marginLogits,
  marginLoss,
  type MarginConfig,
} from '../../../src/lib/math/margin-losses';
import { MarginHead, marginLogitsTf, marginLossTf } from '../../../src/lib/train/margin-heads';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

/** mulberry32 + Box–Muller: deterministic standard normals. */
function normalRng(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

const N = 6;
const D = 8;
const C = 5;

interface Batch {
  x: number[][];
  w: number[][];
  y: number[];
}

function randomBatch(seed: number): Batch {
  const rnd = normalRng(seed);
  const x = Array.from({ length: N }, () => Array.from({ length: D }, rnd));
  const w = Array.from({ length: C }, () => Array.from({ length: D }, rnd));
  const y = Array.from({ length: N }, (_, i) => (i * 3) % C);
  return { x, w, y };
}

/** Features near their class weights (small θ_y), as late in training: other margin branches. */
function alignedBatch(seed: number): Batch {
  const { w, y } = randomBatch(seed);
  const rnd = normalRng(seed + 1000);
  const x = y.map((c) => (w[c] ?? []).map((v) => 2 * v + 0.4 * rnd()));
  return { x, w, y };
}

const BATCHES: Record<string, Batch> = { random: randomBatch(7), aligned: alignedBatch(7) };

const CONFIGS: Record<string, MarginConfig> = {
  softmax: { method: 'softmax', s: 1, m: 0 },
  nsl: { method: 'nsl', s: 10, m: 0 },
  cosface: { method: 'cosface', s: 10, m: 0.35 },
  'cosface (no feature norm)': { method: 'cosface', s: 10, m: 0.35, normalizeFeatures: false },
  arcface: { method: 'arcface', s: 10, m: 0.5 },
  'arcface (large m, hits fallback)': { method: 'arcface', s: 4, m: 1.4 },
  sphereface: { method: 'sphereface', s: 1, m: 4 },
  'sphereface (λ = 5)': { method: 'sphereface', s: 1, m: 4, lambda: 5 },
  'sphereface (NormFea)': { method: 'sphereface', s: 10, m: 4, normalizeFeatures: true },
};

/**
 * Smallest distance of any target cosine from a point where the target logit is not smooth
 * (ArcFace branch switch / clip, SphereFace piece boundaries), so finite differences are valid.
 */
function kinkDistance(x: number[][], w: number[][], y: number[], cfg: MarginConfig): number {
  const cos = cosineMatrix(x, w);
  const kinks: number[] = [];
  if (cfg.method === 'arcface') kinks.push(Math.cos(Math.PI - cfg.m), 1 - COS_EPS, -1 + COS_EPS);
  if (cfg.method === 'sphereface') {
    for (let j = 1; j < cfg.m; j++) kinks.push(Math.cos((j * Math.PI) / cfg.m));
  }
  let best = Infinity;
  cos.forEach((row, i) => {
    const c = row[y[i] ?? 0] ?? 0;
    for (const k of kinks) best = Math.min(best, Math.abs(c - k));
  });
  return best;
}

function maxAbsDiff(a: number[][], b: number[][]): number {
  let worst = 0;
  a.forEach((row, i) =>
    row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - (b[i]?.[j] ?? NaN))))),
  );
  return worst;
}

/** Central differences of the float64 reference loss w.r.t. every entry of `which`. */
function finiteDiff(
  x: number[][],
  w: number[][],
  y: number[],
  cfg: MarginConfig,
  which: 'x' | 'w',
  h = 1e-6,
): number[][] {
  const target = which === 'x' ? x : w;
  return target.map((row, i) =>
    row.map((_, j) => {
      const bump = (delta: number): number => {
        const copy = target.map((r) => [...r]);
        (copy[i] as number[])[j] = (row[j] ?? 0) + delta;
        return which === 'x' ? marginLoss(copy, w, y, cfg) : marginLoss(x, copy, y, cfg);
      };
      return (bump(h) - bump(-h)) / (2 * h);
    }),
  );
}

function expectGradClose(actual: number[][], expected: number[][]): void {
  actual.forEach((row, i) =>
    row.forEach((g, j) => {
      const e = expected[i]?.[j] ?? NaN;
      expect(Math.abs(g - e), `[${i}][${j}] tf=${g} fd=${e}`).toBeLessThanOrEqual(
        1e-3 + 1e-2 * Math.abs(e),
      );
    }),
  );
}

const CASES = Object.entries(CONFIGS).flatMap(([name, cfg]) =>
  Object.entries(BATCHES).map(
    ([batchName, batch]) => [`${name}, ${batchName} batch`, cfg, batch] as const,
  ),
);

describe.each(CASES)('%s: tfjs vs reference', (_name, cfg, { x, w, y }) => {
  it('test point is away from non-smooth points', () => {
    expect(kinkDistance(x, w, y, cfg)).toBeGreaterThan(1e-3);
  });

  it('logits and loss match to 1e-4', () => {
    const [logits, loss] = tf.tidy(() => {
      const args = [tf.tensor2d(x), tf.tensor2d(w), tf.tensor1d(y, 'int32'), cfg] as const;
      return [marginLogitsTf(...args).arraySync(), marginLossTf(...args).arraySync()];
    });
    expect(maxAbsDiff(logits, marginLogits(x, w, y, cfg))).toBeLessThan(1e-4);
    expect(Math.abs(loss - marginLoss(x, w, y, cfg))).toBeLessThan(1e-4);
  });

  it('gradients w.r.t. features and weights match central differences', () => {
    const [gx, gw] = tf.tidy(() => {
      const labels = tf.tensor1d(y, 'int32');
      const grads = tf.grads((xt: tf.Tensor, wt: tf.Tensor) =>
        marginLossTf(xt as tf.Tensor2D, wt as tf.Tensor2D, labels, cfg),
      );
      const [a, b] = grads([tf.tensor2d(x), tf.tensor2d(w)]);
      return [(a as tf.Tensor2D).arraySync(), (b as tf.Tensor2D).arraySync()];
    });
    expectGradClose(gx, finiteDiff(x, w, y, cfg, 'x'));
    expectGradClose(gw, finiteDiff(x, w, y, cfg, 'w'));
  });
});

it('the test batches exercise every ArcFace branch and SphereFace piece', () => {
  const targets = Object.values(BATCHES).flatMap(({ x, w, y }) =>
    cosineMatrix(x, w).map((row, i) => row[y[i] ?? 0] ?? 0),
  );
  const th = Math.cos(Math.PI - 1.4);
  expect(targets.some((c) => c > th)).toBe(true);
  expect(targets.some((c) => c <= th)).toBe(true);
  // SphereFace m = 4: k = floor(4θ/π) ∈ {0, 1, 2} covered (k = 3 needs θ > 135°, rare in 8-D)
  const ks = new Set(targets.map((c) => Math.min(3, Math.floor((4 * Math.acos(c)) / Math.PI))));
  for (const k of [0, 1, 2]) expect(ks.has(k)).toBe(true);
});

it('ArcFace gradients stay finite when a feature is exactly aligned with its class', () => {
  const cfg: MarginConfig = { method: 'arcface', s: 64, m: 0.5 };
  const g = tf.tidy(() => {
    const w = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const x = tf.tensor2d([
      [2, 0],
      [0, -3],
    ]);
    const labels = tf.tensor1d([0, 0], 'int32');
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      marginLossTf(a as tf.Tensor2D, b as tf.Tensor2D, labels, cfg),
    )([x, w]);
    return grads.map((t) => Array.from(t.dataSync()));
  });
  for (const v of g.flat()) expect(Number.isFinite(v)).toBe(true);
});

describe('memory', () => {
  const { x, w, y } = randomBatch(3);

  it('does not leak tensors (forward, gradients, 100 calls)', () => {
    const xt = tf.tensor2d(x);
    const wt = tf.tensor2d(w);
    const yt = tf.tensor1d(y, 'int32');
    const before = tf.memory().numTensors;
    for (const cfg of Object.values(CONFIGS)) {
      tf.tidy(() => {
        marginLossTf(xt, wt, yt, cfg);
      });
      expect(tf.memory().numTensors).toBe(before);
      for (let i = 0; i < 100; i++) marginLossTf(xt, wt, yt, cfg).dispose();
      expect(tf.memory().numTensors).toBe(before);
      tf.tidy(() => {
        tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          marginLossTf(a as tf.Tensor2D, b as tf.Tensor2D, yt, cfg),
        )([xt, wt]);
      });
      expect(tf.memory().numTensors).toBe(before);
    }
    tf.dispose([xt, wt, yt]);
  });

  it('MarginHead.loss does not leak and dispose() frees the variable', () => {
    const before = tf.memory().numTensors;
    const head = new MarginHead({ numClasses: C, dim: D, config: CONFIGS.cosface as MarginConfig });
    const afterInit = tf.memory().numTensors;
    expect(afterInit).toBe(before + 1);
    const xt = tf.tensor2d(x);
    for (let i = 0; i < 100; i++) head.loss(xt, y).dispose();
    tf.tidy(() => {
      head.loss(xt, tf.tensor1d(y, 'int32'));
    });
    xt.dispose();
    expect(tf.memory().numTensors).toBe(afterInit);
    head.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('MarginHead', () => {
  it('is seeded and matches the reference with its own weights', () => {
    const cfg = CONFIGS.arcface as MarginConfig;
    const a = new MarginHead({ numClasses: C, dim: D, config: cfg, seed: 42 });
    const b = new MarginHead({ numClasses: C, dim: D, config: cfg, seed: 42 });
    const c = new MarginHead({ numClasses: C, dim: D, config: cfg, seed: 43 });
    const wa = a.weights.arraySync();
    expect(b.weights.arraySync()).toEqual(wa);
    expect(c.weights.arraySync()).not.toEqual(wa);
    const { x, y } = randomBatch(5);
    const loss = tf.tidy(() => a.loss(tf.tensor2d(x), y).arraySync());
    expect(Math.abs(loss - marginLoss(x, wa, y, cfg))).toBeLessThan(1e-4);
    tf.dispose([a.weights, b.weights, c.weights]);
  });

  it('trains: CosFace (s = 16, m = 0.2) on 4 separable 2-D classes halves the loss in 50 steps', () => {
    const rnd = normalRng(11);
    const points: number[][] = [];
    const labels: number[] = [];
    for (let k = 0; k < 4; k++) {
      const angle = (k * Math.PI) / 2;
      for (let i = 0; i < 16; i++) {
        points.push([2 * Math.cos(angle) + 0.3 * rnd(), 2 * Math.sin(angle) + 0.3 * rnd()]);
        labels.push(k);
      }
    }
    const before = tf.memory().numTensors;
    const head = new MarginHead({
      numClasses: 4,
      dim: 4,
      config: { method: 'cosface', s: 16, m: 0.2 },
      seed: 1,
    });
    const embedInit = tf.randomNormal([2, 4], 0, 0.5, 'float32', 2);
    const embed = tf.variable(embedInit);
    embedInit.dispose();
    const xs = tf.tensor2d(points);
    const ys = tf.tensor1d(labels, 'int32');
    const opt = tf.train.adam(0.05);
    const lossFn = (): tf.Scalar => head.loss(tf.matMul(xs, embed), ys);

    const initial = tf.tidy(() => lossFn().arraySync());
    for (let step = 0; step < 50; step++) {
      opt.minimize(lossFn, false, [embed, head.weights]);
    }
    const final = tf.tidy(() => lossFn().arraySync());

    expect(Number.isFinite(final)).toBe(true);
    expect(final).toBeLessThan(initial / 2);

    opt.dispose();
    tf.dispose([xs, ys, embed]);
    head.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
