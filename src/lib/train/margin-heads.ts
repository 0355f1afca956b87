/**
 * tfjs margin-softmax heads (Softmax, NSL, CosFace, ArcFace, SphereFace), differentiable w.r.t. both
 * features and class weights. Same definitions as the plain-array oracle in
 * `src/lib/math/margin-losses.ts`; see there for the formulas.
 *
 * Everything is built from tf ops (no dataSync), so it can run inside tf.variableGrads /
 * optimizer.minimize in a training script or a browser worker. No DOM, no Node APIs.
 *
 * Gradients: @tensorflow/tfjs-core registers no op gradients by itself. The entry point that trains
 * must `import '@tensorflow/tfjs-core/dist/register_all_gradients'` once (not done here: that file is
 * extensionless ESM, which Vite/Vitest resolve but plain Node/tsx cannot load).
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  COS_EPS,
  NORM_EPS,
  normalizesFeatures,
  validateMarginConfig,
  type MarginConfig,
} from '../math/margin-losses';

export type { MarginConfig, MarginMethod } from '../math/margin-losses';

/** Row-wise √(Σv² + NORM_EPS), shape [rows, 1]. */
function rowNorms(t: tf.Tensor2D): tf.Tensor2D {
  return tf.sqrt(tf.add<tf.Tensor2D>(tf.sum(tf.square(t), 1, true), NORM_EPS));
}

/**
 * Applies a piecewise-constant function (comparisons, branch selection) with zero gradient. tfjs has
 * no gradient for comparison kernels, so they must not appear on the tape between the inputs and
 * the loss; customGrad runs `fn` off the tape.
 */
function piecewiseConstant(x: tf.Tensor, fn: (t: tf.Tensor) => tf.Tensor): tf.Tensor {
  const op = tf.customGrad((...args) => {
    const t = args[0] as tf.Tensor;
    return { value: fn(t), gradFunc: () => tf.zerosLike(t) };
  });
  return op(x);
}

/** Chebyshev recurrence for cos(m·θ) in terms of cos θ: a polynomial, so gradients stay finite. */
function chebyshevT(m: number, c: tf.Tensor): tf.Tensor {
  let prev: tf.Tensor = tf.onesLike(c);
  let cur = c;
  if (m === 0) return prev;
  for (let i = 1; i < m; i++) [prev, cur] = [cur, tf.sub(tf.mul(tf.mul(c, 2), cur), prev)];
  return cur;
}

/** Replacement for cos θ_y, elementwise on the target cosines (shape [N, 1]). */
function targetCos(c: tf.Tensor2D, cfg: MarginConfig): tf.Tensor2D {
  switch (cfg.method) {
    case 'softmax':
    case 'nsl':
      return c;
    case 'cosface':
      return tf.sub(c, cfg.m);
    case 'arcface': {
      // insightface convention; clipping keeps d√(1−c²)/dc finite (see arcfaceTargetCos).
      const cc = tf.clipByValue(c, -1 + COS_EPS, 1 - COS_EPS);
      const sin = tf.sqrt(tf.sub(1, tf.square(cc)));
      const phi = tf.sub(tf.mul(cc, Math.cos(cfg.m)), tf.mul(sin, Math.sin(cfg.m)));
      const fallback = tf.sub(cc, cfg.m * Math.sin(Math.PI - cfg.m));
      const useArc = piecewiseConstant(cc, (t) =>
        tf.cast(tf.greater(t, Math.cos(Math.PI - cfg.m)), 'float32'),
      );
      return tf.add(tf.mul(useArc, phi), tf.mul(tf.sub(1, useArc), fallback));
    }
    case 'sphereface': {
      const m = cfg.m;
      const lambda = cfg.lambda ?? 0;
      const cc = tf.clipByValue(c, -1, 1);
      // k = #{j ∈ 1..m−1 : cos θ ≤ cos(jπ/m)} = floor(θm/π), without acos; piecewise constant.
      const k = piecewiseConstant(cc, (t) => {
        let acc: tf.Tensor = tf.zerosLike(t);
        for (let j = 1; j < m; j++) {
          acc = tf.add(acc, tf.cast(tf.lessEqual(t, Math.cos((j * Math.PI) / m)), 'float32'));
        }
        return acc;
      });
      // (−1)^k = 1 − 2·(k mod 2)
      const sign = tf.sub(1, tf.mul(tf.mod(k, 2), 2));
      const psi = tf.sub(tf.mul(sign, chebyshevT(m, cc)), tf.mul(k, 2));
      return tf.div(tf.add(tf.mul(cc, lambda), psi), 1 + lambda);
    }
  }
}

/**
 * N × C margin logits. labels: int32 class indices, shape [N].
 * W rows are L2-normalised except for 'softmax' (plain x·Wᵀ, no bias).
 */
export function marginLogitsTf(
  features: tf.Tensor2D,
  weights: tf.Tensor2D,
  labels: tf.Tensor1D,
  cfg: MarginConfig,
): tf.Tensor2D {
  validateMarginConfig(cfg);
  return tf.tidy(() => {
    if (cfg.method === 'softmax') return tf.matMul(features, weights, false, true);

    const numClasses = weights.shape[0];
    const xNorm = rowNorms(features);
    const wHat = tf.div(weights, rowNorms(weights));
    // ‖x‖cos θ_j = x·ŵ_j; dividing by ‖x‖ gives cos θ_j.
    const proj = tf.matMul(features, wHat, false, true);
    const cos = tf.div(proj, xNorm);
    const scale: tf.Tensor | number = normalizesFeatures(cfg) ? cfg.s : xNorm;

    const mask = tf.cast(tf.oneHot(tf.cast(labels, 'int32'), numClasses), 'float32');
    const cosY = tf.sum<tf.Tensor2D>(tf.mul(cos, mask), 1, true);
    const target = targetCos(cosY, cfg);
    // Non-target entries keep cos θ_j; the target entry gets the margin-adjusted value.
    const adjusted = tf.add(tf.mul(cos, tf.sub(1, mask)), tf.mul(mask, target));
    return tf.mul<tf.Tensor2D>(adjusted, scale);
  });
}

/** Mean cross-entropy of the margin logits (stable log-sum-exp). */
export function marginLossTf(
  features: tf.Tensor2D,
  weights: tf.Tensor2D,
  labels: tf.Tensor1D,
  cfg: MarginConfig,
): tf.Scalar {
  return tf.tidy(() => {
    const logits = marginLogitsTf(features, weights, labels, cfg);
    const mask = tf.cast(tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1]), 'float32');
    const targetLogit = tf.sum(tf.mul(logits, mask), 1);
    return tf.mean(tf.sub(tf.logSumExp(logits, 1), targetLogit));
  });
}

export interface MarginHeadOptions {
  numClasses: number;
  dim: number;
  config: MarginConfig;
  /** Seed for the N(0, 1/dim) weight initialisation; fixed default keeps runs reproducible. */
  seed?: number;
  /** Optional variable name (tfjs variable names must be globally unique). */
  name?: string;
}

/** A trainable C × D class-weight matrix plus its margin loss. Call dispose() when done. */
export class MarginHead {
  readonly numClasses: number;
  readonly dim: number;
  readonly config: MarginConfig;
  readonly weights: tf.Variable<tf.Rank.R2>;

  constructor(opts: MarginHeadOptions) {
    validateMarginConfig(opts.config);
    if (!Number.isInteger(opts.numClasses) || opts.numClasses < 2) {
      throw new RangeError('numClasses must be an integer >= 2');
    }
    if (!Number.isInteger(opts.dim) || opts.dim < 1) throw new RangeError('dim must be >= 1');
    this.numClasses = opts.numClasses;
    this.dim = opts.dim;
    this.config = { ...opts.config };
    const init = tf.randomNormal<tf.Rank.R2>(
      [opts.numClasses, opts.dim],
      0,
      1 / Math.sqrt(opts.dim),
      'float32',
      opts.seed ?? 0,
    );
    this.weights = tf.variable(init, true, opts.name);
    init.dispose();
  }

  logits(features: tf.Tensor2D, labels: tf.Tensor1D | readonly number[]): tf.Tensor2D {
    return tf.tidy(() =>
      marginLogitsTf(features, this.weights, this.labelTensor(labels), this.config),
    );
  }

  loss(features: tf.Tensor2D, labels: tf.Tensor1D | readonly number[]): tf.Scalar {
    return tf.tidy(() =>
      marginLossTf(features, this.weights, this.labelTensor(labels), this.config),
    );
  }

  dispose(): void {
    this.weights.dispose();
  }

  private labelTensor(labels: tf.Tensor1D | readonly number[]): tf.Tensor1D {
    return labels instanceof tf.Tensor ? labels : tf.tensor1d([...labels], 'int32');
  }
}
