/**
 * Matching unit-length face embeddings: cosine scores, enrolment templates, 1:1 verify,
 * 1:N identify, the several-frame decision and the "already enrolled?" check.
 *
 * Convention (as in calibrate.ts): a score is accepted iff score >= threshold.
 */

import { normaliseScore, type ScoreStats } from './score-norm';

export type SecurityLevel = 'far_1e-3' | 'far_1e-4' | 'far_1e-5';

/**
 * The levels offered in Settings, in order; the keys are the model manifest's calibrated
 * thresholds (Settings words them: ui/text/security-levels.ts).
 */
export const SECURITY_LEVELS: readonly { level: SecurityLevel }[] = [
  { level: 'far_1e-3' },
  { level: 'far_1e-4' },
  { level: 'far_1e-5' },
];

export function isSecurityLevel(value: unknown): value is SecurityLevel {
  return SECURITY_LEVELS.some((s) => s.level === value);
}

export function dot(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) {
    throw new Error(`embedding lengths differ (${a.length} vs ${b.length})`);
  }
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

export function norm(v: Float32Array): number {
  return Math.sqrt(dot(v, v));
}

/**
 * Cosine similarity in [-1, 1]. Divides by the norms rather than assuming unit length, so a
 * vector that drifted slightly through float32 rounding still scores on the calibrated scale.
 * A zero vector has no direction and scores 0.
 */
export function cosine(a: Float32Array, b: Float32Array): number {
  const d = dot(a, b);
  const n = norm(a) * norm(b);
  return n === 0 ? 0 : d / n;
}

/** Unit-length copy. Throws on a zero or non-finite vector, which has no direction. */
export function normalize(v: Float32Array): Float32Array {
  const n = norm(v);
  if (!Number.isFinite(n) || n === 0)
    throw new Error('cannot normalise a zero or non-finite vector');
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = (v[i] as number) / n;
  return out;
}

/**
 * A person's template: the L2-normalised mean of their enrolment embeddings. Averaging cancels
 * much of the per-photo noise (pose, light, blur), so one probe-vs-template cosine is steadier
 * than any single probe-vs-sample cosine. Sums in float64 so the result does not depend on
 * float32 accumulation error.
 */
export function template(samples: readonly Float32Array[]): Float32Array {
  const first = samples[0];
  if (first === undefined) throw new Error('a template needs at least one sample');
  const dim = first.length;
  if (dim === 0) throw new Error('embeddings must not be empty');
  const sum = new Float64Array(dim);
  for (const s of samples) {
    if (s.length !== dim) throw new Error(`sample dimensions differ (${s.length} vs ${dim})`);
    for (let i = 0; i < dim; i++) sum[i] = (sum[i] as number) + (s[i] as number);
  }
  return normalize(Float32Array.from(sum));
}

/**
 * The 1:1 score of a probe against one enrolled person: cosine to the template only, put on the
 * reference scale when a fine-tune measured that template's stranger scores (`norm`).
 * Taking the max over individual samples as well would give an impostor several chances per
 * frame and raise the false-accept rate above the one the thresholds were calibrated for.
 */
export function verifyScore(
  probe: Float32Array,
  person: { template: Float32Array; norm?: PersonScoreNorm | undefined },
): number {
  const raw = cosine(probe, person.template);
  return person.norm ? normaliseScore(raw, person.norm.template, person.norm.reference) : raw;
}

/** Score normalisation a fine-tune measured for one person's template (finetune/score-norm.ts). */
export interface PersonScoreNorm {
  template: ScoreStats;
  reference: ScoreStats;
}

export interface Enrolled {
  id: string;
  name: string;
  template: Float32Array;
  norm?: PersonScoreNorm | undefined;
}

export interface Candidate {
  id: string;
  name: string;
  score: number;
}

/**
 * Top-two scores closer than this are too close to call. A probe that resembles two enrolled
 * people about equally is more likely a poor frame (or a relative) than a clear match, and
 * naming the wrong one is worse than asking for another try. Chosen by measurement
 * (docs/IDENTIFY.md, `npm run eval-identify`).
 */
export const IDENTIFY_MARGIN = 0.05;

export interface IdentifyResult {
  /** Everyone, best first. */
  ranked: Candidate[];
  /** The match, or null when nobody reached the threshold or the top two are within the margin. */
  best: Candidate | null;
  reason: 'match' | 'nobody-enrolled' | 'below-threshold' | 'ambiguous';
  /** The per-comparison threshold applied to the best score. */
  threshold: number;
}

/**
 * 1:N: rank everyone by verifyScore and accept the top one if it reaches the threshold and is at
 * least `margin` clear of the runner-up.
 *
 * `threshold` is per comparison: for the security level's rate per attempt pass
 * identifyThreshold(thresholds, level, people.length) (open-set.ts), which rises with the number
 * enrolled; a bare 1:1 threshold gives a stranger N chances at the 1:1 rate.
 */
export function identify(
  probe: Float32Array,
  people: readonly Enrolled[],
  threshold: number,
  margin = IDENTIFY_MARGIN,
): IdentifyResult {
  const ranked = people
    .map((p) => ({ id: p.id, name: p.name, score: verifyScore(probe, p) }))
    .sort((x, y) => y.score - x.score);
  return { ranked, ...decideRanked(ranked, threshold, margin) };
}

/**
 * identify()'s decision on scores already ranked best first (also used by scripts/eval-identify.ts
 * on precomputed scores, so the measurement applies exactly the app's rule).
 */
export function decideRanked(
  ranked: readonly Candidate[],
  threshold: number,
  margin = IDENTIFY_MARGIN,
): Omit<IdentifyResult, 'ranked'> {
  const top = ranked[0];
  if (top === undefined) return { best: null, reason: 'nobody-enrolled', threshold };
  if (top.score < threshold) return { best: null, reason: 'below-threshold', threshold };
  const second = ranked[1];
  if (second !== undefined && top.score - second.score < margin) {
    return { best: null, reason: 'ambiguous', threshold };
  }
  return { best: top, reason: 'match', threshold };
}

export type FrameVerdict = 'pending' | 'accept' | 'reject';

/**
 * Decides an attempt from a stream of per-frame scores instead of one frame.
 *
 * Why several frames: one frame can score high by accident (a motion-blurred or half-turned
 * face, detector jitter, a photo held up for an instant). Requiring `need` consecutive good
 * frames at or above the threshold filters such spikes. Successive frames are strongly
 * correlated, so this is not FAR^need; and allowing up to `maxFrames` frames gives an impostor
 * a few runs at it, so the per-attempt false-accept rate is of the order of the per-frame one,
 * not below it. `maxFrames` bounds the attempt so a stranger is told "no" rather than left waiting.
 *
 * A frame that fails the quality gate (null) breaks the run but does not count toward
 * `maxFrames`: a user who is still settling in front of the camera is not penalised. Time
 * limits belong to the caller, which owns the clock.
 */
export class FrameDecision {
  readonly threshold: number;
  readonly need: number;
  readonly maxFrames: number;
  private run = 0;
  private good = 0;
  private verdict: FrameVerdict = 'pending';

  constructor(opts: { threshold: number; need?: number; maxFrames?: number }) {
    const need = opts.need ?? 3;
    const maxFrames = opts.maxFrames ?? 15;
    if (!Number.isInteger(need) || need < 1) throw new Error('need must be a positive integer');
    if (!Number.isInteger(maxFrames) || maxFrames < need) {
      throw new Error('maxFrames must be an integer >= need');
    }
    this.threshold = opts.threshold;
    this.need = need;
    this.maxFrames = maxFrames;
  }

  /** Feeds one frame's score (null = failed quality). Once decided, the verdict sticks until reset(). */
  push(score: number | null): FrameVerdict {
    if (this.verdict !== 'pending') return this.verdict;
    if (score === null) {
      this.run = 0;
      return this.verdict;
    }
    this.good++;
    this.run = score >= this.threshold ? this.run + 1 : 0;
    if (this.run >= this.need) this.verdict = 'accept';
    else if (this.good >= this.maxFrames) this.verdict = 'reject';
    return this.verdict;
  }

  reset(): void {
    this.run = 0;
    this.good = 0;
    this.verdict = 'pending';
  }

  /** Consecutive good frames at or above the threshold so far (for a progress indicator). */
  get consecutive(): number {
    return this.run;
  }

  /** Good-quality frames seen in this attempt. */
  get goodFrames(): number {
    return this.good;
  }

  get state(): FrameVerdict {
    return this.verdict;
  }
}

/**
 * Whether the face being enrolled is already enrolled under another name: the new samples'
 * template against every stored template, best score at or above the threshold. Meant as a
 * warning the user can override (twins, a re-enrolment), so it shares the verify threshold.
 */
export function duplicateOf(
  newSamples: readonly Float32Array[],
  people: readonly Enrolled[],
  threshold: number,
): Candidate | null {
  const t = template(newSamples);
  let best: Candidate | null = null;
  for (const p of people) {
    const score = cosine(t, p.template);
    if (score >= threshold && (best === null || score > best.score)) {
      best = { id: p.id, name: p.name, score };
    }
  }
  return best;
}
