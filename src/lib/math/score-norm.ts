/**
 * Per-template score normalisation (Z-norm with a cohort of strangers), the arithmetic part.
 *
 * One fixed threshold treats every template alike, but strangers score higher against some
 * templates than others (a face like many others, or samples all taken through one poor camera).
 * Z-norm measures each template's stranger scores on a cohort and maps its scores so that those
 * strangers are distributed as they are on a reference: the threshold then means the same
 * false-accept rate for everyone it was calibrated for. Which strangers form the cohort and the
 * reference is the background bank's business (finetune/score-norm.ts).
 */

export interface ScoreStats {
  mean: number;
  sd: number;
}

/** Per-template score normalisation for the templates the app uses. */
export interface ScoreNorm {
  reference: ScoreStats;
  /** One per person, in the order the people were given. */
  stats: ScoreStats[];
}

/** Mean and population standard deviation of a cohort's scores. */
export function scoreStats(values: readonly number[]): ScoreStats {
  const n = values.length;
  if (n < 2) throw new Error('score normalisation needs at least two cohort scores');
  const mean = values.reduce((a, x) => a + x, 0) / n;
  const sd = Math.sqrt(values.reduce((a, x) => a + (x - mean) ** 2, 0) / n);
  return { mean, sd };
}

/** A raw cosine against a template, on the reference scale. */
export function normaliseScore(score: number, template: ScoreStats, ref: ScoreStats): number {
  // A cohort with no spread says nothing about the template's scale.
  if (!(template.sd > 0)) return score;
  return ref.mean + ((score - template.mean) * ref.sd) / template.sd;
}
