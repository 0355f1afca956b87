/**
 * What the fine-tuning head trains on, as plain arrays (no tensors yet): the starting templates,
 * the background people that join the head, the bank views replayed as strangers and the score
 * ceilings the stranger hinge holds them under. head-training.ts turns it into tensors.
 */
import { dotAt, type BackgroundBank } from './bank';
import type { FinetuneConfig } from './config';
import { unitMean } from './rows';
import { rowsOf, type TrainingData } from './training-data';

/** Which background people train on device: the training part of the bank, nearest first. */
export function pickBankClasses(
  bank: BackgroundBank,
  centres: readonly Float32Array[],
  count: number,
): number[] {
  const trainable = bank.classes - bank.validationClasses;
  const nearest: { k: number; score: number }[] = [];
  for (let k = 0; k < trainable; k++) {
    let score = -Infinity;
    for (const c of centres)
      score = Math.max(score, dotAt(c, bank.centres, k * bank.dim, bank.dim));
    nearest.push({ k, score });
  }
  nearest.sort((a, b) => b.score - a.score);
  return nearest.slice(0, Math.min(count, trainable)).map((n) => n.k);
}

export interface HeadPlan {
  /** People enrolled. */
  people: number;
  dim: number;
  /** Per person: the unit mean of the training samples (the base model's template). */
  baseTemplates: Float32Array[];
  /** Per person: the unit mean of samples and views (where free class weights start). */
  viewTemplates: Float32Array[];
  /** Bank classes in the head, after the enrolled people. */
  bankClasses: number[];
  /** Bank sample rows replayed as strangers, and their labels in the head. */
  rehearsalRows: number[];
  bankLabels: number[];
  /** Whether the enrolled people's class weights are the mean of their adapted rows. */
  tied: boolean;
  /** The rows tied templates average, and the people x rows averaging matrix. */
  tiedRows: Float32Array[];
  averaging: Float32Array;
  /** rehearsalRows x people: each stranger's score ceiling against each person. */
  floors: Float32Array;
  /** training rows x people: the same for the enrolled people against each other. */
  crossFloors: Float32Array;
}

export function planHead(
  data: TrainingData,
  bank: BackgroundBank,
  threshold: number,
  cfg: FinetuneConfig,
): HeadPlan {
  const dim = bank.dim;
  const P = data.split.train.length;
  const baseTemplates = data.split.train.map((rows) => unitMean(rows, dim));
  const viewTemplates = data.split.train.map((_, p) => unitMean(rowsOf(data, p), dim));
  const bankClasses = pickBankClasses(bank, baseTemplates, cfg.bankClasses);
  const bankIndex = new Map(bankClasses.map((k, i) => [k, i]));
  const rehearsalRows: number[] = [];
  bank.labels.forEach((l, i) => {
    if (bankIndex.has(l)) rehearsalRows.push(i);
  });
  const bankLabels = rehearsalRows.map((i) => P + (bankIndex.get(bank.labels[i] ?? 0) ?? 0));
  // Rows the tied templates average: each person's samples (and views, for 'views').
  const tiedRows: Float32Array[] = [];
  const tiedOwner: number[] = [];
  for (let p = 0; p < P; p++) {
    for (const r of cfg.templates === 'views' ? rowsOf(data, p) : (data.split.train[p] ?? [])) {
      tiedRows.push(r);
      tiedOwner.push(p);
    }
  }
  const averaging = Float32Array.from({ length: P * tiedRows.length }, (_, k) => {
    const p = Math.floor(k / tiedRows.length);
    const owner = tiedOwner[k % tiedRows.length];
    return owner === p ? 1 / tiedOwner.filter((o) => o === p).length : 0;
  });
  // Each stranger's ceiling against each person: its base score, or threshold - margin if higher.
  const floors = new Float32Array(rehearsalRows.length * P);
  rehearsalRows.forEach((i, r) => {
    baseTemplates.forEach((t, p) => {
      const base = dotAt(t, bank.samples, i * dim, dim);
      floors[r * P + p] = Math.max(base, threshold - cfg.repelMargin);
    });
  });
  // Enrolled people are strangers to each other, seen through the same camera: the only
  // negatives that share the camera's look, so the adapter cannot treat that look as identity.
  const crossFloors = new Float32Array(data.rows.length * P);
  data.rows.forEach((row, r) => {
    baseTemplates.forEach((t, q) => {
      crossFloors[r * P + q] =
        data.labels[r] === q ? 2 : Math.max(dotAt(t, row, 0, dim), threshold - cfg.repelMargin);
    });
  });
  return {
    people: P,
    dim,
    baseTemplates,
    viewTemplates,
    bankClasses,
    rehearsalRows,
    bankLabels,
    tied: cfg.templates === 'mean' || cfg.templates === 'views',
    tiedRows,
    averaging,
    floors,
    crossFloors,
  };
}
