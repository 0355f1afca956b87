/**
 * On-device fine-tuning for the enrolled people: an LMCL (CosFace) head over the enrolled people
 * plus the background bank's fixed class centres, trained through a low-rank adapter on the frozen
 * backbone's embeddings (see adapter.ts for why an adapter). The same code runs in the browser's
 * fine-tuning worker and in scripts/eval-finetune; the caller supplies `embed` (the backbone).
 *
 * A fine-tune is only kept if it passes a check on data it never trained on: one held-out
 * enrollment sample per person (and augmented views of it) must not score worse against the
 * person's template, and the bank's validation strangers must not be accepted more often at the
 * app's threshold. Otherwise the caller keeps the base model.
 *
 * Gradients: the entry point must import '@tensorflow/tfjs-core/dist/register_all_gradients'.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CropPixels } from '../embedding/preprocess';
import { seededRandom } from '../math/seeded-random';
import { marginLossTf } from '../train/margin-heads';
import { adaptEmbedding, type Adapter } from './adapter';
import { augmentCrop, MILD_AUGMENT, WEBCAM_AUGMENT, type AugmentRanges } from './augment';
import type { BackgroundBank } from './bank';

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

export interface FinetuneConfig {
  rank: number;
  s: number;
  m: number;
  steps: number;
  lr: number;
  /** Augmented views per sample that has a crop. */
  views: number;
  /** Background samples replayed per step. */
  bankBatch: number;
  /** How many background people (the nearest to the enrolled ones) join the head. */
  bankClasses: number;
  /** Weight of the replayed background samples' loss. */
  rehearsal: number;
  /** L2 weight on the adapter. */
  decay: number;
  /**
   * Weight of a hinge that pushes replayed strangers below (threshold - repelMargin) against the
   * enrolled people: LMCL alone stops caring once a stranger is merely less similar than its own
   * class, while the app accepts anyone above a fixed threshold.
   */
  repel: number;
  repelMargin: number;
  /**
   * 'head': match against the trained LMCL class weights; 'mean': the mean of the adapted samples;
   * 'views': the mean of the adapted samples and their augmented views.
   */
  templates: 'head' | 'mean' | 'views';
  augment: 'webcam' | 'mild';
  seed: number;
}

export const DEFAULT_FINETUNE: FinetuneConfig = {
  rank: 32,
  s: 32,
  m: 0.35,
  steps: 120,
  lr: 2e-3,
  views: 4,
  bankBatch: 256,
  bankClasses: 256,
  rehearsal: 1,
  decay: 1e-3,
  repel: 1,
  repelMargin: 0.05,
  templates: 'head',
  augment: 'webcam',
  seed: 1,
};

export type FinetunePhase = 'views' | 'train' | 'check';

export interface FinetuneProgress {
  phase: FinetunePhase;
  /** Overall fraction done, 0..1. */
  fraction: number;
  loss?: number;
  /** Estimated milliseconds left, once there is a rate to go by. */
  etaMs?: number;
}

export interface GuardReport {
  accepted: boolean;
  /** Why, in words a person can read. */
  reason: string;
  threshold: number;
  genuine: {
    count: number;
    rejectsBefore: number;
    rejectsAfter: number;
    meanBefore: number;
    meanAfter: number;
  };
  strangers: {
    count: number;
    acceptsBefore: number;
    acceptsAfter: number;
    maxBefore: number;
    maxAfter: number;
  };
}

export interface FinetuneResult {
  /** Null when rank is 0 (only the head was trained). */
  adapter: Adapter | null;
  /** One unit template per person (in the order given), in the adapted space. */
  templates: Float32Array[];
  guard: GuardReport;
  losses: number[];
  views: number;
  ms: { views: number; train: number; check: number; total: number };
}

export class FinetuneCancelled extends Error {
  override name = 'FinetuneCancelled';
  constructor() {
    super('Fine-tuning was cancelled.');
  }
}

export interface FinetuneArgs {
  people: readonly FinetunePerson[];
  bank: BackgroundBank;
  /** The app's acceptance threshold (cosine) that the check holds the adapter to. */
  threshold: number;
  embed: (crops: CropPixels[]) => Promise<Float32Array[]>;
  config?: Partial<FinetuneConfig>;
  onProgress?: (p: FinetuneProgress) => void;
  isCancelled?: () => boolean;
  now?: () => number;
}

function unitMean(rows: readonly Float32Array[], dim: number): Float32Array {
  const m = new Float32Array(dim);
  for (const r of rows) for (let j = 0; j < dim; j++) m[j] = (m[j] ?? 0) + (r[j] ?? 0);
  let s = 0;
  for (const x of m) s += x * x;
  const n = Math.sqrt(s) || 1;
  for (let j = 0; j < dim; j++) m[j] = (m[j] ?? 0) / n;
  return m;
}

function dotAt(a: Float32Array, b: Float32Array, bOffset: number, dim: number): number {
  let s = 0;
  for (let j = 0; j < dim; j++) s += (a[j] ?? 0) * (b[bOffset + j] ?? 0);
  return s;
}

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

interface Split {
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
  embed: FinetuneArgs['embed'],
  onBatch: (done: number) => void,
  isCancelled: () => boolean,
): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  const batch = 8;
  const jobs: CropPixels[] = [];
  for (const crop of crops)
    for (let v = 0; v < views; v++) jobs.push(augmentCrop(crop, rng, ranges));
  for (let i = 0; i < jobs.length; i += batch) {
    if (isCancelled()) throw new FinetuneCancelled();
    out.push(...(await embed(jobs.slice(i, i + batch))));
    onBatch(Math.min(i + batch, jobs.length));
  }
  return out;
}

function stack(rows: readonly Float32Array[], dim: number): Float32Array {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => out.set(r, i * dim));
  return out;
}

/**
 * The fine-tuning head's loss: LMCL (CosFace) over the enrolled people's class weights followed by
 * the background bank's fixed centres. Labels index that concatenation.
 */
export function headLoss(
  features: tf.Tensor2D,
  enrolledWeights: tf.Tensor2D,
  bankCentres: tf.Tensor2D,
  labels: tf.Tensor1D,
  cfg: Pick<FinetuneConfig, 's' | 'm'>,
): tf.Scalar {
  return tf.tidy(() =>
    marginLossTf(features, tf.concat([enrolledWeights, bankCentres], 0), labels, {
      method: 'cosface',
      s: cfg.s,
      m: cfg.m,
    }),
  );
}

export async function finetune(args: FinetuneArgs): Promise<FinetuneResult> {
  const cfg: FinetuneConfig = { ...DEFAULT_FINETUNE, ...args.config };
  const now = args.now ?? (() => performance.now());
  const isCancelled = args.isCancelled ?? (() => false);
  const progress = args.onProgress ?? (() => undefined);
  const dim = args.bank.dim;
  const rng = seededRandom(cfg.seed);
  const ranges = cfg.augment === 'mild' ? MILD_AUGMENT : WEBCAM_AUGMENT;
  const t0 = now();
  if (args.people.length === 0) throw new Error('There is nobody enrolled to fine-tune for.');

  // Progress weights: views are embedded by the backbone, training steps are cheap.
  const split = splitSamples(args.people);
  const viewJobs =
    cfg.views *
    (split.trainCrops.reduce((n, c) => n + c.length, 0) +
      split.validationCrops.reduce((n, c) => n + c.length, 0));
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

  const trainRows: Float32Array[] = [];
  const trainLabels: number[] = [];
  const validation: Float32Array[][] = [];
  for (let p = 0; p < args.people.length; p++) {
    const base = split.train[p] ?? [];
    const views = await embedViews(
      split.trainCrops[p] ?? [],
      cfg.views,
      ranges,
      rng,
      args.embed,
      (d) => onViews(viewsDone + d),
      isCancelled,
    );
    viewsDone += (split.trainCrops[p]?.length ?? 0) * cfg.views;
    for (const row of [...base, ...views]) {
      trainRows.push(row);
      trainLabels.push(p);
    }
    const heldViews = await embedViews(
      split.validationCrops[p] ?? [],
      cfg.views,
      ranges,
      rng,
      args.embed,
      (d) => onViews(viewsDone + d),
      isCancelled,
    );
    viewsDone += (split.validationCrops[p]?.length ?? 0) * cfg.views;
    validation.push([...(split.validation[p] ?? []), ...heldViews]);
  }
  const tViews = now();

  const baseTemplates = split.train.map((rows) => unitMean(rows, dim));
  const rowsOf = (p: number) => trainRows.filter((_, i) => trainLabels[i] === p);
  const viewTemplates = args.people.map((_, p) => unitMean(rowsOf(p), dim));
  const bankClasses = pickBankClasses(args.bank, baseTemplates, cfg.bankClasses);
  const bankIndex = new Map(bankClasses.map((k, i) => [k, i]));
  const rehearsalRows: number[] = [];
  args.bank.labels.forEach((l, i) => {
    if (bankIndex.has(l)) rehearsalRows.push(i);
  });
  const P = args.people.length;

  const losses: number[] = [];
  const adapter =
    cfg.rank > 0
      ? tf.tidy(() => ({
          a: tf.variable(
            tf.randomNormal([dim, cfg.rank], 0, 1 / Math.sqrt(dim), 'float32', cfg.seed),
            true,
          ),
          b: tf.variable(tf.zeros([cfg.rank, dim]), true),
        }))
      : null;
  // The initial value is a tensor of its own: tidy disposes it once the variable holds a copy.
  const classW = tf.tidy(() => tf.variable(tf.tensor2d(stack(viewTemplates, dim), [P, dim]), true));
  const centres = tf.tensor2d(
    stack(
      bankClasses.map((k) => args.bank.centres.subarray(k * dim, (k + 1) * dim)),
      dim,
    ),
    [bankClasses.length, dim],
  );
  const xEnrolled = tf.tensor2d(stack(trainRows, dim), [trainRows.length, dim]);
  const yEnrolled = tf.tensor1d(trainLabels, 'int32');
  const bankRows = tf.tensor2d(
    stack(
      rehearsalRows.map((i) => args.bank.samples.subarray(i * dim, (i + 1) * dim)),
      dim,
    ),
    [rehearsalRows.length, dim],
  );
  const bankLabels = rehearsalRows.map((i) => P + (bankIndex.get(args.bank.labels[i] ?? 0) ?? 0));
  const optimizer = tf.train.adam(cfg.lr);
  const trainStart = now();
  try {
    for (let step = 0; step < cfg.steps; step++) {
      if (isCancelled()) throw new FinetuneCancelled();
      const pick = Array.from({ length: Math.min(cfg.bankBatch, rehearsalRows.length) }, () =>
        Math.floor(rng() * rehearsalRows.length),
      );
      // Gathered off the tape: the bank is constant, and gather's gradient kernel is missing on wasm.
      const xb = tf.tidy(() => tf.gather(bankRows, tf.tensor1d(pick, 'int32')));
      const yBank = tf.tensor1d(
        pick.map((i) => bankLabels[i] ?? P),
        'int32',
      );
      const loss = optimizer.minimize(
        () => {
          const adapt = (x: tf.Tensor2D): tf.Tensor2D =>
            adapter ? tf.add(x, tf.matMul(tf.matMul(x, adapter.a), adapter.b)) : x;
          let total = headLoss(adapt(xEnrolled), classW, centres, yEnrolled, cfg);
          if (pick.length > 0) {
            const zb = adapt(xb);
            if (cfg.rehearsal > 0) {
              total = tf.add(
                total,
                tf.mul(cfg.rehearsal, headLoss(zb, classW, centres, yBank, cfg)),
              );
            }
            if (cfg.repel > 0) {
              const unit = (t: tf.Tensor2D) =>
                tf.div(t, tf.sqrt(tf.add(tf.sum(tf.square(t), 1, true), 1e-12)));
              const cos = tf.matMul(unit(zb), unit(classW), false, true);
              const over = tf.relu(tf.sub(cos, args.threshold - cfg.repelMargin));
              total = tf.add(total, tf.mul(cfg.repel, tf.mean(tf.sum(over, 1))));
            }
          }
          if (adapter) {
            const l2 = tf.add(tf.sum(tf.square(adapter.a)), tf.sum(tf.square(adapter.b)));
            total = tf.add(total, tf.mul(cfg.decay, l2));
          }
          return total as tf.Scalar;
        },
        true,
        adapter ? [adapter.a, adapter.b, classW] : [classW],
      );
      xb.dispose();
      yBank.dispose();
      if (!loss) throw new Error('the optimiser returned no loss');
      const value = (await loss.data())[0] ?? Number.NaN;
      loss.dispose();
      if (!Number.isFinite(value)) throw new Error(`fine-tuning diverged (loss ${value})`);
      losses.push(value);
      const elapsed = now() - trainStart;
      progress({
        phase: 'train',
        fraction: viewShare + ((step + 1) / cfg.steps) * (0.95 - viewShare),
        loss: value,
        etaMs: (elapsed / (step + 1)) * (cfg.steps - step - 1),
      });
    }
    const result: Adapter | null = adapter
      ? {
          dim,
          rank: cfg.rank,
          a: new Float32Array(await adapter.a.data()),
          b: new Float32Array(await adapter.b.data()),
        }
      : null;
    const adapt = (e: Float32Array) => (result ? adaptEmbedding(result, e) : e);
    const head = new Float32Array(await classW.data());
    // The check holds out one sample per person; the templates the app keeps use every sample.
    const templatesFrom = (withHeld: boolean) =>
      args.people.map((_, p) => {
        if (cfg.templates === 'head') return unitMean([head.slice(p * dim, (p + 1) * dim)], dim);
        const rows = cfg.templates === 'views' ? rowsOf(p) : (split.train[p] ?? []);
        const held = withHeld ? (split.validation[p] ?? []) : [];
        return unitMean([...rows, ...held].map(adapt), dim);
      });
    const templates = templatesFrom(true);
    const tTrain = now();
    progress({ phase: 'check', fraction: 0.97 });
    const guard = checkAdapter(
      adapt,
      templatesFrom(false),
      split.train,
      validation,
      args.bank,
      args.threshold,
    );
    const tEnd = now();
    progress({ phase: 'check', fraction: 1 });
    return {
      adapter: result,
      templates,
      guard,
      losses,
      views: viewJobs,
      ms: {
        views: tViews - t0,
        train: tTrain - trainStart,
        check: tEnd - tTrain,
        total: tEnd - t0,
      },
    };
  } finally {
    adapter?.a.dispose();
    adapter?.b.dispose();
    classW.dispose();
    centres.dispose();
    xEnrolled.dispose();
    yEnrolled.dispose();
    bankRows.dispose();
    optimizer.dispose();
  }
}

/**
 * The fine-tune's validation: held-out samples against their own person's template (built from
 * the training samples) and the bank's validation strangers against every template, before
 * (base model) and after (adapter), at the app's threshold.
 */
export function checkAdapter(
  adapt: (e: Float32Array) => Float32Array,
  templatesAfter: readonly Float32Array[],
  train: readonly Float32Array[][],
  validation: readonly Float32Array[][],
  bank: BackgroundBank,
  threshold: number,
): GuardReport {
  const dim = bank.dim;
  const identity = (e: Float32Array) => e;
  const strangers: Float32Array[] = [];
  const firstValidation = bank.classes - bank.validationClasses;
  bank.labels.forEach((l, i) => {
    if (l >= firstValidation) strangers.push(bank.samples.subarray(i * dim, (i + 1) * dim));
  });
  const measure = (f: (e: Float32Array) => Float32Array, templates: readonly Float32Array[]) => {
    const genuine: number[] = [];
    validation.forEach((rows, p) => {
      const t = templates[p];
      if (t) for (const r of rows) genuine.push(dotAt(t, f(r), 0, dim));
    });
    const impostor: number[] = [];
    for (const s of strangers) {
      const e = f(s);
      for (const t of templates) impostor.push(dotAt(t, e, 0, dim));
    }
    // Enrolled people are strangers to each other, too.
    validation.forEach((rows, p) => {
      templates.forEach((t, q) => {
        if (q !== p) for (const r of rows) impostor.push(dotAt(t, f(r), 0, dim));
      });
    });
    return { genuine, impostor };
  };
  const before = measure(
    identity,
    train.map((rows) => unitMean(rows, dim)),
  );
  const after = measure(adapt, templatesAfter);
  const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : Number.NaN);
  const below = (v: number[]) => v.filter((x) => x < threshold).length;
  const above = (v: number[]) => v.filter((x) => x >= threshold).length;
  const max = (v: number[]) => (v.length ? Math.max(...v) : Number.NaN);
  const report: GuardReport = {
    accepted: false,
    reason: '',
    threshold,
    genuine: {
      count: before.genuine.length,
      rejectsBefore: below(before.genuine),
      rejectsAfter: below(after.genuine),
      meanBefore: mean(before.genuine),
      meanAfter: mean(after.genuine),
    },
    strangers: {
      count: before.impostor.length,
      acceptsBefore: above(before.impostor),
      acceptsAfter: above(after.impostor),
      maxBefore: max(before.impostor),
      maxAfter: max(after.impostor),
    },
  };
  const g = report.genuine;
  const s = report.strangers;
  if (g.count === 0) {
    report.reason = 'Nobody has enough samples to check the fine-tune on (at least 3 are needed).';
  } else if (s.acceptsAfter > s.acceptsBefore) {
    report.reason = `It accepted more strangers (${s.acceptsAfter} vs ${s.acceptsBefore} of ${s.count}).`;
  } else if (g.rejectsAfter > g.rejectsBefore) {
    report.reason = `It rejected more held-out samples (${g.rejectsAfter} vs ${g.rejectsBefore} of ${g.count}).`;
  } else if (!(g.meanAfter > g.meanBefore)) {
    report.reason = 'Held-out samples did not match their person any better.';
  } else {
    report.accepted = true;
    report.reason = `Held-out samples match better (mean score ${g.meanBefore.toFixed(3)} → ${g.meanAfter.toFixed(3)}) and no more strangers are accepted.`;
  }
  return report;
}
