/**
 * The fine-tune's first step: one held-out sample per person set aside for the check, and every
 * kept crop turned into augmented views embedded by the frozen backbone (most of the fine-tune's
 * time). Embeddings only: no tensor outlives a call to `embed`.
 */
import type { CropPixels } from '../embedding/preprocess';
import { augmentCrop, MILD_AUGMENT, WEBCAM_AUGMENT, type AugmentRanges } from './augment';
import type { FinetuneConfig } from './config';
import { FinetuneCancelled, type FinetuneProgress } from './progress';

export interface FinetuneSample {
  /** The backbone's unit embedding of the stored sample. */
  embedding: Float32Array;
  /** The aligned crop, when it was kept; without it the sample joins without augmented views. */
  crop?: CropPixels;
}

export interface FinetunePerson {
  id: string;
  samples: FinetuneSample[];
}

export type Embed = (crops: CropPixels[]) => Promise<Float32Array[]>;

export interface Split {
  train: Float32Array[][];
  trainCrops: CropPixels[][];
  validation: Float32Array[][];
  validationCrops: CropPixels[][];
}

/** One held-out sample per person with at least three (the last one with a crop, if any). */
function splitSamples(people: readonly FinetunePerson[]): Split {
  const split: Split = { train: [], trainCrops: [], validation: [], validationCrops: [] };
  for (const person of people) {
    const samples = [...person.samples];
    let held: FinetuneSample | undefined;
    if (samples.length >= 3) {
      let at = samples.length - 1;
      for (let i = samples.length - 1; i >= 0; i--) {
        if (samples[i]?.crop) {
          at = i;
          break;
        }
      }
      held = samples.splice(at, 1)[0];
    }
    split.train.push(samples.map((s) => s.embedding));
    split.trainCrops.push(samples.flatMap((s) => (s.crop ? [s.crop] : [])));
    split.validation.push(held ? [held.embedding] : []);
    split.validationCrops.push(held?.crop ? [held.crop] : []);
  }
  return split;
}

async function embedViews(
  crops: readonly CropPixels[],
  views: number,
  ranges: AugmentRanges,
  rng: () => number,
  embed: Embed,
  onBatch: (done: number) => void,
  { isCancelled, mayContinue }: Pick<StepControl, 'isCancelled' | 'mayContinue'>,
): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  // A hold (run-hold.ts) waits for the batch in hand: 4 crops, ~0.2-0.3 s of the cores here.
  const batch = 4;
  const jobs: CropPixels[] = [];
  for (const crop of crops)
    for (let v = 0; v < views; v++) jobs.push(augmentCrop(crop, rng, ranges));
  for (let i = 0; i < jobs.length; i += batch) {
    await mayContinue();
    if (isCancelled()) throw new FinetuneCancelled();
    out.push(...(await embed(jobs.slice(i, i + batch))));
    onBatch(Math.min(i + batch, jobs.length));
  }
  return out;
}

export interface TrainingData {
  split: Split;
  /** Every person's training samples, then their augmented views; labels give the person. */
  rows: Float32Array[];
  labels: number[];
  /** Per person: the held-out sample and its augmented views, for the check. */
  validation: Float32Array[][];
  /** How many views were embedded. */
  views: number;
  /** The share of the progress bar the views took (0 when there were none). */
  viewShare: number;
}

/** Person p's training rows: samples and views. */
export function rowsOf(data: TrainingData, p: number): Float32Array[] {
  return data.rows.filter((_, i) => data.labels[i] === p);
}

export interface StepControl {
  progress: (p: FinetuneProgress) => void;
  isCancelled: () => boolean;
  /** Awaited before each batch of views and each training step: the app may hold the run there. */
  mayContinue: () => Promise<void>;
  now: () => number;
}

export async function embedTrainingData(
  people: readonly FinetunePerson[],
  cfg: FinetuneConfig,
  rng: () => number,
  embed: Embed,
  control: StepControl,
): Promise<TrainingData> {
  const { progress, now } = control;
  const ranges = cfg.augment === 'mild' ? MILD_AUGMENT : WEBCAM_AUGMENT;
  // Progress weights: views are embedded by the backbone, training steps are cheap.
  const split = splitSamples(people);
  const viewsPerSample = split.trainCrops.map((c) =>
    Math.min(cfg.views, Math.max(1, Math.floor(cfg.viewBudget / Math.max(c.length, 1)))),
  );
  const viewJobs =
    split.trainCrops.reduce((n, c, p) => n + c.length * (viewsPerSample[p] ?? 0), 0) +
    cfg.views * split.validationCrops.reduce((n, c) => n + c.length, 0);
  const viewShare = viewJobs > 0 ? 0.5 : 0;
  let viewsDone = 0;
  const viewStart = now();
  const onViews = (done: number) => {
    const elapsed = now() - viewStart;
    const fraction = (done / Math.max(viewJobs, 1)) * viewShare;
    const rate = elapsed / Math.max(done, 1);
    progress({
      phase: 'views',
      fraction,
      etaMs: rate * (viewJobs - done) + rate * cfg.steps * 0.1,
    });
  };

  const rows: Float32Array[] = [];
  const labels: number[] = [];
  const validation: Float32Array[][] = [];
  for (let p = 0; p < people.length; p++) {
    const base = split.train[p] ?? [];
    const perSample = viewsPerSample[p] ?? cfg.views;
    const views = await embedViews(
      split.trainCrops[p] ?? [],
      perSample,
      ranges,
      rng,
      embed,
      (d) => onViews(viewsDone + d),
      control,
    );
    viewsDone += (split.trainCrops[p]?.length ?? 0) * perSample;
    for (const row of [...base, ...views]) {
      rows.push(row);
      labels.push(p);
    }
    const heldViews = await embedViews(
      split.validationCrops[p] ?? [],
      cfg.views,
      ranges,
      rng,
      embed,
      (d) => onViews(viewsDone + d),
      control,
    );
    viewsDone += (split.validationCrops[p]?.length ?? 0) * cfg.views;
    validation.push([...(split.validation[p] ?? []), ...heldViews]);
  }
  return { split, rows, labels, validation, views: viewJobs, viewShare };
}
