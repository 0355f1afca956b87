/**
 * The background bank as the cohort and reference of score normalisation (math/score-norm.ts):
 * a template's stranger scores are measured on the bank's views, and the reference is how the
 * bank's strangers score, on average, against a bank person's own centre.
 */
import { scoreStats, type ScoreStats } from '../math/score-norm';
import { dotAt, type BackgroundBank } from './bank';

/** Bank people who may serve as the cohort: not the validation strangers the guard checks on. */
const inCohort = (bank: BackgroundBank, label: number) =>
  label < bank.classes - bank.validationClasses;

/** A template's scores against the cohort's bank views (none of whom is the enrolled person). */
export function cohortStats(template: Float32Array, bank: BackgroundBank): ScoreStats {
  const scores: number[] = [];
  for (let k = 0; k < bank.labels.length; k++)
    if (inCohort(bank, bank.labels[k] ?? 0))
      scores.push(dotAt(template, bank.samples, k * bank.dim, bank.dim));
  return scoreStats(scores);
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
    const s = scoreStats(scores);
    mean += s.mean;
    sd += s.sd;
  }
  const reference = { mean: mean / people, sd: sd / people };
  references.set(bank, reference);
  return reference;
}

const references = new WeakMap<BackgroundBank, ScoreStats>();
