/**
 * Plain-array reference implementation of margin-based softmax losses
 * (Softmax, NSL, CosFace/LMCL, ArcFace, SphereFace/A-Softmax).
 *
 * This is the test oracle for the tfjs heads in `src/lib/train/margin-heads.ts`, so it favours
 * obviously-correct loops in float64 over speed. No tfjs, no DOM.
 *
 * Notation: x = feature row (D), W_j = class weight row (D), cos θ_j = W_j·x / (‖W_j‖‖x‖).
 * Only the target logit (j = y) carries a margin; every other logit is "scale · cos θ_j".
 */

export type MarginMethod = 'softmax' | 'nsl' | 'cosface' | 'arcface' | 'sphereface';

export interface MarginConfig {
  method: MarginMethod;
  /** Scale (hypersphere radius). Ignored by 'softmax' and by unnormalised cosface/sphereface. */
  s: number;
  /** Margin: cosine margin (cosface), angular margin in radians (arcface), integer multiplier (sphereface). */
  m: number;
  /** SphereFace annealing weight λ ≥ 0 (default 0 = pure A-Softmax). */
  lambda?: number;
  /**
   * cosface: default true (LMCL). false = the paper's "without normalisation" ablation,
   *   logits ‖x‖(cos θ_y − m) and ‖x‖cos θ_j.
   * sphereface: default false (A-Softmax keeps ‖x‖). true = "A-Softmax-NormFea", ‖x‖ replaced by s.
   * Ignored by the other methods (softmax never normalises, nsl/arcface always do).
   */
  normalizeFeatures?: boolean;
}

/** Added under the square root of every norm so that zero vectors give finite values and gradients. */
export const NORM_EPS = 1e-12;

/**
 * ArcFace clips cos θ to [−1 + COS_EPS, 1 − COS_EPS] before using sin θ = √(1 − cos²θ): d sinθ/d cosθ
 * is infinite at ±1. Applied identically in the reference and in tfjs so the two agree exactly; it
 * only changes values for θ within ~1.4e-3 rad of 0 or π.
 */
export const COS_EPS = 1e-6;

export function validateMarginConfig(cfg: MarginConfig): void {
  if (!(cfg.s > 0) || !Number.isFinite(cfg.s)) throw new RangeError(`s must be > 0, got ${cfg.s}`);
  if (!(cfg.m >= 0) || !Number.isFinite(cfg.m))
    throw new RangeError(`m must be >= 0, got ${cfg.m}`);
  if (cfg.method === 'sphereface' && (!Number.isInteger(cfg.m) || cfg.m < 1)) {
    throw new RangeError(`sphereface m must be a positive integer, got ${cfg.m}`);
  }
  if (cfg.lambda !== undefined && !(cfg.lambda >= 0)) {
    throw new RangeError(`lambda must be >= 0, got ${cfg.lambda}`);
  }
}

/** Whether x is L2-normalised before the logits (i.e. ‖x‖ is replaced by s). */
export function normalizesFeatures(cfg: MarginConfig): boolean {
  switch (cfg.method) {
    case 'softmax':
      return false;
    case 'nsl':
    case 'arcface':
      return true;
    case 'cosface':
      return cfg.normalizeFeatures ?? true;
    case 'sphereface':
      return cfg.normalizeFeatures ?? false;
  }
}

export function dot(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new RangeError(`length mismatch ${a.length} vs ${b.length}`);
  let acc = 0;
  for (let i = 0; i < a.length; i++) acc += (a[i] ?? 0) * (b[i] ?? 0);
  return acc;
}

/** √(Σv² + NORM_EPS): smooth at 0, equal to ‖v‖ for any non-degenerate vector. */
export function l2norm(v: readonly number[]): number {
  return Math.sqrt(dot(v, v) + NORM_EPS);
}

export function l2normalize(v: readonly number[]): number[] {
  const n = l2norm(v);
  return v.map((x) => x / n);
}

/** N × C matrix of cos θ between each feature row and each class weight row. */
export function cosineMatrix(
  features: readonly number[][],
  weights: readonly number[][],
): number[][] {
  const wn = weights.map(l2normalize);
  return features.map((x) => {
    const xn = l2normalize(x);
    return wn.map((w) => dot(xn, w));
  });
}

function clip(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/**
 * ArcFace target cosine, insightface convention (no "easy margin"):
 *   cos θ > cos(π − m): cos(θ + m) = cos θ·cos m − sin θ·sin m
 *   otherwise:          cos θ − m·sin(π − m)
 * In the second branch θ + m would pass π, where cos(θ + m) starts increasing again (the margin would
 * reward a worse angle). The replacement keeps the target value decreasing in θ; note it is NOT
 * continuous: at θ = π − m it jumps from −1 down to −cos m − m·sin m (as in insightface).
 */
export function arcfaceTargetCos(cosTheta: number, m: number): number {
  const c = clip(cosTheta, -1 + COS_EPS, 1 - COS_EPS);
  if (c > Math.cos(Math.PI - m)) {
    return c * Math.cos(m) - Math.sqrt(1 - c * c) * Math.sin(m);
  }
  return c - m * Math.sin(Math.PI - m);
}

/** Chebyshev T_m(c) = cos(m·acos c); a polynomial, so no acos (and no infinite gradient) is needed. */
export function chebyshevT(m: number, c: number): number {
  let prev = 1;
  let cur = c;
  if (m === 0) return prev;
  for (let i = 1; i < m; i++) [prev, cur] = [cur, 2 * c * cur - prev];
  return cur;
}

/**
 * k = floor(θ·m/π) clamped to [0, m − 1], computed by comparing cos θ with cos(jπ/m) rather than
 * through acos (same as the original SphereFace layer). Piecewise constant: carries no gradient.
 */
export function spherefaceK(cosTheta: number, m: number): number {
  let k = 0;
  for (let j = 1; j < m; j++) if (cosTheta <= Math.cos((j * Math.PI) / m)) k++;
  return k;
}

/** ψ(θ) = (−1)^k cos(mθ) − 2k on [kπ/m, (k+1)π/m]: monotone from 1 (θ = 0) to 1 − 2m (θ = π). */
export function spherefacePsi(cosTheta: number, m: number): number {
  const c = clip(cosTheta, -1, 1);
  const k = spherefaceK(c, m);
  return (k % 2 === 0 ? 1 : -1) * chebyshevT(m, c) - 2 * k;
}

function checkShapes(
  features: readonly number[][],
  weights: readonly number[][],
  labels: readonly number[],
): void {
  if (features.length !== labels.length) {
    throw new RangeError(`${features.length} features but ${labels.length} labels`);
  }
  const c = weights.length;
  for (const y of labels) {
    if (!Number.isInteger(y) || y < 0 || y >= c)
      throw new RangeError(`label ${y} not in [0, ${c})`);
  }
}

/**
 * N × C logits. W rows are always L2-normalised except for 'softmax' (plain Wx, no bias).
 *  - softmax:    W_j·x
 *  - nsl:        s cos θ_j
 *  - cosface:    s (cos θ_y − m) on the target, s cos θ_j elsewhere (‖x‖ instead of s if unnormalised)
 *  - arcface:    s cos(θ_y + m) on the target (see arcfaceTargetCos), s cos θ_j elsewhere
 *  - sphereface: (λ‖x‖cos θ_y + ‖x‖ψ(θ_y)) / (1 + λ) on the target, ‖x‖cos θ_j elsewhere
 *                (s instead of ‖x‖ with normalizeFeatures)
 */
export function marginLogits(
  features: readonly number[][],
  weights: readonly number[][],
  labels: readonly number[],
  cfg: MarginConfig,
): number[][] {
  validateMarginConfig(cfg);
  checkShapes(features, weights, labels);
  if (cfg.method === 'softmax') return features.map((x) => weights.map((w) => dot(w, x)));

  const cos = cosineMatrix(features, weights);
  const normalize = normalizesFeatures(cfg);
  return cos.map((row, i) => {
    const y = labels[i] ?? 0;
    const scale = normalize ? cfg.s : l2norm(features[i] ?? []);
    return row.map((c, j) => (j === y ? scale * targetCos(c, cfg) : scale * c));
  });
}

/** The target-class value that replaces cos θ_y (before scaling). */
function targetCos(c: number, cfg: MarginConfig): number {
  switch (cfg.method) {
    case 'softmax':
    case 'nsl':
      return c;
    case 'cosface':
      return c - cfg.m;
    case 'arcface':
      return arcfaceTargetCos(c, cfg.m);
    case 'sphereface': {
      const lambda = cfg.lambda ?? 0;
      return (lambda * c + spherefacePsi(c, cfg.m)) / (1 + lambda);
    }
  }
}

/** log Σ exp(v), shifted by the max so large logits (s = 64) do not overflow. */
export function logSumExp(v: readonly number[]): number {
  const max = Math.max(...v);
  if (!Number.isFinite(max)) return max;
  let acc = 0;
  for (const x of v) acc += Math.exp(x - max);
  return max + Math.log(acc);
}

/** Mean over rows of −log softmax(logits)[y]. */
export function softmaxCrossEntropy(
  logits: readonly number[][],
  labels: readonly number[],
): number {
  if (logits.length === 0) throw new RangeError('empty batch');
  let acc = 0;
  logits.forEach((row, i) => {
    acc += logSumExp(row) - (row[labels[i] ?? 0] ?? 0);
  });
  return acc / logits.length;
}

export function marginLoss(
  features: readonly number[][],
  weights: readonly number[][],
  labels: readonly number[],
  cfg: MarginConfig,
): number {
  return softmaxCrossEntropy(marginLogits(features, weights, labels, cfg), labels);
}

/**
 * CosFace lower bound on the scale: s ≥ (C − 1)/C · ln((C − 1)·P_W / (1 − P_W)), where P_W is the
 * desired minimum posterior of a class centre. Negative (i.e. no constraint) when P_W < 1/C.
 */
export function cosfaceScaleLowerBound(numClasses: number, pW: number): number {
  if (!Number.isInteger(numClasses) || numClasses < 2)
    throw new RangeError('numClasses must be >= 2');
  if (!(pW > 0 && pW < 1)) throw new RangeError('pW must be in (0, 1)');
  const c = numClasses;
  return ((c - 1) / c) * Math.log(((c - 1) * pW) / (1 - pW));
}

/**
 * CosFace upper bound on the cosine margin, 1 − max_{i≠j} W_i·W_j, assuming the class weights are
 * spread uniformly over the unit hypersphere of dimension K = dim:
 *   K = 2:       1 − cos(2π/C)   (weights on a regular C-gon)
 *   C ≤ K + 1:   C/(C − 1)       (weights on a regular simplex, W_i·W_j = −1/(C − 1))
 *   C > K + 1:   the seed text writes the same "m ≤ C/(C − 1)"; its prose (and, as far as we know,
 *                the paper's eq. 11, written with "≪") says the true bound is then strictly and often
 *                much smaller, with no closed form. We return C/(C − 1) as a loose upper bound.
 */
export function cosfaceMarginUpperBound(numClasses: number, dim: number): number {
  if (!Number.isInteger(numClasses) || numClasses < 2)
    throw new RangeError('numClasses must be >= 2');
  if (!Number.isInteger(dim) || dim < 2) throw new RangeError('dim must be >= 2');
  if (dim === 2) return 1 - Math.cos((2 * Math.PI) / numClasses);
  return numClasses / (numClasses - 1);
}
