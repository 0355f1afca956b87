/**
 * Verification metrics from scored pairs: ROC, AUC, EER, TAR at a fixed FAR,
 * threshold calibration on impostor scores, and the LFW 10-fold accuracy protocol.
 *
 * Convention everywhere: a pair is accepted iff score >= threshold.
 */

export interface ScoredPair {
  /** Cosine similarity, higher = more similar. */
  score: number;
  same: boolean;
  fold?: number;
}

/**
 * Added to a score to get a threshold that rejects it. Cosines are usually computed
 * from float32 embeddings (eps ~1.2e-7 near 1), so this sits above their rounding noise.
 */
export const THRESHOLD_EPSILON = 1e-6;

export interface Roc {
  far: number[];
  tar: number[];
  thresholds: number[];
}

interface Counts {
  positives: number;
  negatives: number;
}

function countClasses(pairs: readonly ScoredPair[]): Counts {
  let positives = 0;
  for (const p of pairs) if (p.same) positives++;
  const negatives = pairs.length - positives;
  if (positives === 0 || negatives === 0) {
    throw new Error(
      `need both same and different pairs (got ${positives} same, ${negatives} different)`,
    );
  }
  return { positives, negatives };
}

/**
 * Number of impostors that may be accepted at a target FAR. The relative slack keeps
 * e.g. 1000 * 1e-3 from rounding down to 0 when the product lands a hair under 1.
 */
function allowedFalseAccepts(negatives: number, far: number): number {
  return Math.floor(negatives * far * (1 + 1e-9));
}

/**
 * The one pass both the ROC and the accuracy threshold need: distinct scores from the top, with
 * the genuine (tp) and impostor (fp) pairs accepted at each (accept iff score >= it), and the
 * next lower distinct score. Equal scores move together.
 */
function* sweepByScore(
  pairs: readonly ScoredPair[],
): Generator<{ score: number; tp: number; fp: number; next: number | undefined }> {
  const sorted = [...pairs].sort((x, y) => y.score - x.score);
  let tp = 0;
  let fp = 0;
  let i = 0;
  while (i < sorted.length) {
    const score = (sorted[i] as ScoredPair).score;
    while (i < sorted.length && (sorted[i] as ScoredPair).score === score) {
      if ((sorted[i] as ScoredPair).same) tp++;
      else fp++;
      i++;
    }
    yield { score, tp, fp, next: sorted[i]?.score };
  }
}

/**
 * Exact ROC: one point per distinct score (ties move together, so a tie between a
 * genuine and an impostor pair is a diagonal segment). The first point is
 * (0, 0) at threshold +Infinity; the last is (1, 1) at the lowest score.
 */
export function rocCurve(pairs: readonly ScoredPair[]): Roc {
  const { positives, negatives } = countClasses(pairs);
  const far = [0];
  const tar = [0];
  const thresholds = [Infinity];
  for (const { score, tp, fp } of sweepByScore(pairs)) {
    far.push(fp / negatives);
    tar.push(tp / positives);
    thresholds.push(score);
  }
  return { far, tar, thresholds };
}

/** Area under the exact ROC by trapezoids; equals P(genuine > impostor) + P(tie) / 2. */
export function auc(pairs: readonly ScoredPair[]): number {
  const { far, tar } = rocCurve(pairs);
  let area = 0;
  for (let i = 1; i < far.length; i++) {
    const dx = (far[i] as number) - (far[i - 1] as number);
    area += (dx * ((tar[i] as number) + (tar[i - 1] as number))) / 2;
  }
  return area;
}

/**
 * Equal error rate: where FAR = FRR (= 1 - TAR) along the ROC, linearly interpolated
 * between the two points that bracket it. The threshold is interpolated the same way,
 * which is an approximation between two observed scores.
 */
export function eer(pairs: readonly ScoredPair[]): { eer: number; threshold: number } {
  const { far, tar, thresholds } = rocCurve(pairs);
  // far + tar - 1 goes from -1 to 1 and strictly increases, since every point adds a pair.
  for (let i = 1; i < far.length; i++) {
    const d = (far[i] as number) + (tar[i] as number) - 1;
    if (d < 0) continue;
    const t = thresholds[i] as number;
    if (d === 0) return { eer: far[i] as number, threshold: t };
    const f0 = far[i - 1] as number;
    const d0 = f0 + (tar[i - 1] as number) - 1;
    const alpha = -d0 / (d - d0);
    const t0 = thresholds[i - 1] as number;
    // Interpolating from +Infinity is meaningless; the top score is the honest answer.
    const threshold = Number.isFinite(t0) ? t0 + alpha * (t - t0) : t;
    return { eer: f0 + alpha * ((far[i] as number) - f0), threshold };
  }
  throw new Error('unreachable: ROC ends at (1, 1)');
}

/**
 * TAR at the smallest ROC threshold whose FAR is <= `far`. Ties are strict: a
 * threshold accepts every pair with that score, impostors included. When even the top
 * score lets through too many impostors, the threshold is just above the top score
 * (TAR 0) rather than +Infinity, so it survives JSON.
 */
export function tarAtFar(
  pairs: readonly ScoredPair[],
  far: number,
): { tar: number; threshold: number } {
  const { negatives } = countClasses(pairs);
  const roc = rocCurve(pairs);
  const allowed = allowedFalseAccepts(negatives, far);
  let best = 0;
  for (let i = 1; i < roc.far.length; i++) {
    // Compare counts, not rates, so the cut is exact.
    if (Math.round((roc.far[i] as number) * negatives) <= allowed) best = i;
    else break;
  }
  const threshold =
    best === 0
      ? (roc.thresholds[1] as number) + THRESHOLD_EPSILON
      : (roc.thresholds[best] as number);
  return { tar: roc.tar[best] as number, threshold };
}

export interface FarThreshold {
  threshold: number;
  /** False-accept rate of `threshold` on the given impostor scores. */
  achievedFar: number;
  /**
   * False when there are fewer than 1/far impostors: then no impostor may be accepted,
   * the threshold is just above the largest impostor score, and the true FAR at that
   * threshold is only bounded by the sample size.
   */
  resolvable: boolean;
}

/**
 * Threshold for an app operating point: the smallest threshold (up to THRESHOLD_EPSILON)
 * that accepts at most floor(far * n) of the n impostor scores. It sits just above the
 * (k+1)-th largest impostor score, so ties at that score are all rejected.
 */
export function thresholdAtFar(impostorScores: readonly number[], far: number): FarThreshold {
  const n = impostorScores.length;
  if (n === 0) throw new Error('thresholdAtFar needs at least one impostor score');
  const sorted = [...impostorScores].sort((a, b) => b - a);
  const k = allowedFalseAccepts(n, far);
  if (k >= n) {
    return { threshold: sorted[n - 1] as number, achievedFar: 1, resolvable: true };
  }
  const threshold = (sorted[k] as number) + THRESHOLD_EPSILON;
  let accepted = 0;
  for (const s of sorted) {
    if (s >= threshold) accepted++;
    else break;
  }
  return { threshold, achievedFar: accepted / n, resolvable: k >= 1 };
}

/**
 * Threshold with the highest accuracy. Candidates are the lowest score (accept all),
 * midpoints between consecutive distinct scores, and just above the top score (reject
 * all). Among equally accurate thresholds the highest wins, as it accepts fewer impostors.
 */
export function bestAccuracyThreshold(pairs: readonly ScoredPair[]): {
  threshold: number;
  accuracy: number;
} {
  if (pairs.length === 0) throw new Error('bestAccuracyThreshold needs at least one pair');
  let positives = 0;
  for (const p of pairs) if (p.same) positives++;
  const negatives = pairs.length - positives;

  const top = pairs.reduce((m, p) => Math.max(m, p.score), -Infinity);
  let best = { threshold: top + THRESHOLD_EPSILON, correct: negatives };
  for (const { score, tp, fp, next } of sweepByScore(pairs)) {
    let threshold = score;
    if (next !== undefined) {
      const mid = (score + next) / 2;
      // Adjacent doubles can round the midpoint onto the lower score, which would accept it.
      threshold = mid > next ? mid : score;
    }
    const correct = tp + (negatives - fp);
    if (correct > best.correct) best = { threshold, correct };
  }
  return { threshold: best.threshold, accuracy: best.correct / pairs.length };
}

function accuracyAt(pairs: readonly ScoredPair[], threshold: number): number {
  let correct = 0;
  for (const p of pairs) if (p.score >= threshold === p.same) correct++;
  return correct / pairs.length;
}

/** Pairs without a fold count as fold 1, as for LFW View 1. */
function foldOf(p: ScoredPair): number {
  return p.fold ?? 1;
}

function distinctFolds(pairs: readonly ScoredPair[]): number[] {
  return [...new Set(pairs.map(foldOf))].sort((a, b) => a - b);
}

export interface FoldResult {
  fold: number;
  accuracy: number;
  threshold: number;
}

export interface FoldAccuracy {
  /** Mean of the per-fold accuracies. */
  accuracy: number;
  /** Population standard deviation (divide by the number of folds) over folds, as LFW papers report. */
  std: number;
  perFold: FoldResult[];
  /** True when only one fold was selected, so its threshold was tuned on itself (optimistic). */
  thresholdFromSameFold: boolean;
}

/**
 * LFW protocol: for each selected fold, pick the best-accuracy threshold on the other
 * selected folds and measure accuracy on this one. `folds` defaults to every fold present.
 */
export function foldAccuracy(
  pairs: readonly ScoredPair[],
  folds: readonly number[] = distinctFolds(pairs),
): FoldAccuracy {
  const selected = [...new Set(folds)].sort((a, b) => a - b);
  if (selected.length === 0) throw new Error('foldAccuracy needs at least one fold');
  const byFold = new Map<number, ScoredPair[]>(selected.map((f) => [f, []]));
  for (const p of pairs) byFold.get(foldOf(p))?.push(p);
  for (const [fold, list] of byFold) {
    if (list.length === 0) throw new Error(`fold ${fold} has no pairs`);
  }

  const sameFold = selected.length === 1;
  const perFold: FoldResult[] = selected.map((fold) => {
    const test = byFold.get(fold) as ScoredPair[];
    const train = sameFold
      ? test
      : selected.filter((f) => f !== fold).flatMap((f) => byFold.get(f) as ScoredPair[]);
    const { threshold } = bestAccuracyThreshold(train);
    return { fold, accuracy: accuracyAt(test, threshold), threshold };
  });

  const mean = perFold.reduce((s, r) => s + r.accuracy, 0) / perFold.length;
  const variance = perFold.reduce((s, r) => s + (r.accuracy - mean) ** 2, 0) / perFold.length;
  return { accuracy: mean, std: Math.sqrt(variance), perFold, thresholdFromSameFold: sameFold };
}

export interface VerificationReport {
  accuracy: number;
  accuracyStd: number;
  thresholdFromSameFold: boolean;
  tarAtFar1e3: number;
  eer: number;
  auc: number;
  pairs: number;
}

/** The headline numbers over the selected folds (all folds by default). */
export function verificationReport(
  pairs: readonly ScoredPair[],
  folds?: readonly number[],
): VerificationReport {
  const keep = folds === undefined ? undefined : new Set(folds);
  const selected = keep === undefined ? pairs : pairs.filter((p) => keep.has(foldOf(p)));
  const folded = foldAccuracy(selected, folds ?? distinctFolds(selected));
  return {
    accuracy: folded.accuracy,
    accuracyStd: folded.std,
    thresholdFromSameFold: folded.thresholdFromSameFold,
    tarAtFar1e3: tarAtFar(selected, 1e-3).tar,
    eer: eer(selected).eer,
    auc: auc(selected),
    pairs: selected.length,
  };
}
