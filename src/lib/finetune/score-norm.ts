/**
 * Per-template score normalisation against the background bank (Z-norm with a cohort of strangers).
 *
 * One fixed threshold treats every template alike, but strangers score higher against some
 * templates than others (a face like many others, or samples all taken through one poor camera).
 * Z-norm measures each template's stranger scores on the bank's views and maps its scores so that
 * those strangers are distributed as they are, on average, against a bank person's own centre:
 * the threshold then means the same false-accept rate for everyone it was calibrated for.
 */
import { dotAt, type BackgroundBank } from './bank';

export interface ScoreStats {
  mean: number;
  sd: number;
}

function stats(values: readonly number[]): ScoreStats {
  const n = values.length;
  if (n < 2) throw new Error('score normalisation needs at least two cohort scores');
  const mean = values.reduce((a, x) => a + x, 0) / n;
  const sd = Math.sqrt(values.reduce((a, x) => a + (x - mean) ** 2, 0) / n);
  return { mean, sd };
}

/** Bank people who may serve as the cohort: not the validation strangers the guard checks on. */
const inCohort = (bank: BackgroundBank, label: number) =>
  label < bank.classes - bank.validationClasses;

/** A template's scores against the cohort's bank views (none of whom is the enrolled person). */
export function cohortStats(template: Float32Array, bank: BackgroundBank): ScoreStats {
  const scores: number[] = [];
  for (let k = 0; k < bank.labels.length; k++)
    if (inCohort(bank, bank.labels[k] ?? 0))
      scores.push(dotAt(template, bank.samples, k * bank.dim, bank.dim));
  return stats(scores);
}

/**
 * The target distribution: for each bank person, their centre against the other people's views;
 * the mean of those means and of those spreads.
 */
export function bankReference(bank: BackgroundBank): ScoreStats {
  // ~1 s of dot products per bank, and the bank never changes while loaded.
  const known = references.get(bank);
  if (known) return known;
  let mean = 0;
  let sd = 0;
  const people = bank.classes - bank.validationClasses;
  for (let c = 0; c < people; c++) {
    const centre = bank.centres.subarray(c * bank.dim, (c + 1) * bank.dim);
    const scores: number[] = [];
    for (let k = 0; k < bank.labels.length; k++) {
      const label = bank.labels[k] ?? 0;
      if (label !== c && inCohort(bank, label))
        scores.push(dotAt(centre, bank.samples, k * bank.dim, bank.dim));
    }
    const s = stats(scores);
    mean += s.mean;
    sd += s.sd;
  }
  const reference = { mean: mean / people, sd: sd / people };
  references.set(bank, reference);
  return reference;
}

const references = new WeakMap<BackgroundBank, ScoreStats>();

/** A raw cosine against a template, on the reference scale. */
export function normaliseScore(score: number, template: ScoreStats, ref: ScoreStats): number {
  if (!(template.sd > 0)) return score;
  return ref.mean + ((score - template.mean) * ref.sd) / template.sd;
}
