/**
 * The fine-tune's training step, the only part with tensors: the plan (head-plan.ts) becomes
 * constants and trainable variables, each optimiser step runs in one tf.tidy, and the trained
 * values are read back as Float32Arrays. Whoever calls createHead disposes it with disposeHead,
 * whatever happens in between; nothing else outlives a call.
 *
 * Gradients: the entry point must import '@tensorflow/tfjs-core/dist/register_all_gradients'.
 */
import * as tf from '@tensorflow/tfjs-core';
import { marginLossTf } from '../train/margin-heads';
import type { Adapter } from './adapter';
import type { BackgroundBank } from './bank';
import type { FinetuneConfig } from './config';
import type { HeadPlan } from './head-plan';
import { FinetuneCancelled } from './progress';
import { stack } from './rows';
import type { StepControl, TrainingData } from './training-data';

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

/** The head's fixed inputs, made once per fine-tune. */
function headConstants(plan: HeadPlan, data: TrainingData, bank: BackgroundBank) {
  const { dim, people: P } = plan;
  return tf.tidy(() => ({
    classStart: tf.tensor2d(stack(plan.viewTemplates, dim), [P, dim]),
    centres: tf.tensor2d(
      stack(
        plan.bankClasses.map((k) => bank.centres.subarray(k * dim, (k + 1) * dim)),
        dim,
      ),
      [plan.bankClasses.length, dim],
    ),
    xEnrolled: tf.tensor2d(stack(data.rows, dim), [data.rows.length, dim]),
    yEnrolled: tf.tensor1d(data.labels, 'int32'),
    bankRows: tf.tensor2d(
      stack(
        plan.rehearsalRows.map((i) => bank.samples.subarray(i * dim, (i + 1) * dim)),
        dim,
      ),
      [plan.rehearsalRows.length, dim],
    ),
    fixedTemplates: tf.tensor2d(stack(plan.baseTemplates, dim), [P, dim]),
    xTied: tf.tensor2d(stack(plan.tiedRows, dim), [plan.tiedRows.length, dim]),
    averaging: tf.tensor2d(plan.averaging, [P, plan.tiedRows.length]),
    floors: tf.tensor2d(plan.floors, [plan.rehearsalRows.length, P]),
    crossFloors: tf.tensor2d(plan.crossFloors, [data.rows.length, P]),
  }));
}

export interface Head {
  constants: ReturnType<typeof headConstants>;
  /** Null when rank is 0 (only the class weights train). */
  adapter: { a: tf.Variable<tf.Rank.R2>; b: tf.Variable<tf.Rank.R2> } | null;
  classW: tf.Variable<tf.Rank.R2>;
  trainable: tf.Variable[];
  optimizer: tf.Optimizer;
}

/** The head's tensors and variables; release them with disposeHead. */
export function createHead(
  plan: HeadPlan,
  data: TrainingData,
  bank: BackgroundBank,
  cfg: FinetuneConfig,
): Head {
  const { dim, people: P } = plan;
  const constants = headConstants(plan, data, bank);
  // Variables are not tidy's to dispose: tidy only drops each one's initial value.
  const made: tf.Variable[] = [];
  try {
    const adapter =
      cfg.rank > 0
        ? tf.tidy(() => {
            const a = tf.variable(
              tf.randomNormal<tf.Rank.R2>(
                [dim, cfg.rank],
                0,
                1 / Math.sqrt(dim),
                'float32',
                cfg.seed,
              ),
              true,
            );
            made.push(a);
            const b = tf.variable(tf.zeros<tf.Rank.R2>([cfg.rank, dim]), true);
            made.push(b);
            return { a, b };
          })
        : null;
    const classW = tf.tidy(() =>
      tf.variable(tf.tensor2d(stack(plan.viewTemplates, dim), [P, dim]), true),
    );
    made.push(classW);
    const trainable = [
      ...(adapter ? [adapter.a, adapter.b] : []),
      ...(cfg.templates === 'head' ? [classW] : []),
    ];
    return { constants, adapter, classW, trainable, optimizer: tf.train.adam(cfg.lr) };
  } catch (error) {
    tf.dispose(constants);
    tf.dispose(made);
    throw error;
  }
}

export function disposeHead(head: Head): void {
  tf.dispose(head.constants);
  tf.dispose([head.classW, ...(head.adapter ? [head.adapter.a, head.adapter.b] : [])]);
  head.optimizer.dispose();
}

/** One step's replayed strangers: rows of the rehearsal set and their labels in the head. */
interface Batch {
  pick: number[];
  labels: number[];
}

/** The training objective for one step (runs on the optimiser's tape). */
function objective(
  head: Head,
  plan: HeadPlan,
  cfg: FinetuneConfig,
  bank: { x: tf.Tensor2D; floors: tf.Tensor2D; y: tf.Tensor1D; size: number },
): tf.Scalar {
  const { adapter, classW } = head;
  const c = head.constants;
  const P = plan.people;
  const adapt = (x: tf.Tensor2D): tf.Tensor2D =>
    adapter ? tf.add(x, tf.matMul(tf.matMul(x, adapter.a), adapter.b)) : x;
  const unit = (t: tf.Tensor2D): tf.Tensor2D =>
    tf.div(t, tf.sqrt(tf.add(tf.sum(tf.square(t), 1, true), 1e-12)));
  const enrolledW = plan.tied
    ? unit(tf.matMul(c.averaging, unit(adapt(c.xTied))))
    : cfg.templates === 'base'
      ? c.fixedTemplates
      : classW;
  const ze = adapt(c.xEnrolled);
  let total = headLoss(ze, enrolledW, c.centres, c.yEnrolled, cfg);
  if (cfg.repel > 0 && P > 1) {
    const cos = tf.matMul(unit(ze), unit(enrolledW), false, true);
    const over = tf.relu(tf.sub(cos, c.crossFloors));
    total = tf.add(total, tf.mul(cfg.repel, tf.mean(tf.sum(over, 1))));
  }
  if (bank.size > 0) {
    const zb = adapt(bank.x);
    if (cfg.rehearsal > 0) {
      total = tf.add(total, tf.mul(cfg.rehearsal, headLoss(zb, enrolledW, c.centres, bank.y, cfg)));
    }
    if (cfg.repel > 0) {
      const cos = tf.matMul(unit(zb), unit(enrolledW), false, true);
      const over = tf.relu(tf.sub(cos, bank.floors));
      total = tf.add(total, tf.mul(cfg.repel, tf.mean(tf.sum(over, 1))));
    }
  }
  if (cfg.templates === 'head' && cfg.anchor > 0) {
    total = tf.add(total, tf.mul(cfg.anchor, tf.sum(tf.square(tf.sub(classW, c.classStart)))));
  }
  if (adapter) {
    const l2 = tf.add(tf.sum(tf.square(adapter.a)), tf.sum(tf.square(adapter.b)));
    total = tf.add(total, tf.mul(cfg.decay, l2));
  }
  return total;
}

/** One optimiser step; returns the loss, the only tensor that outlives the step. */
function optimiserStep(head: Head, plan: HeadPlan, cfg: FinetuneConfig, batch: Batch): tf.Scalar {
  return tf.tidy(() => {
    // Gathered off the tape: the bank is constant, and gather's gradient kernel is missing on wasm.
    const idx = tf.tensor1d(batch.pick, 'int32');
    const bank = {
      x: tf.gather(head.constants.bankRows, idx),
      floors: tf.gather(head.constants.floors, idx),
      y: tf.tensor1d(batch.labels, 'int32'),
      size: batch.pick.length,
    };
    const loss = head.optimizer.minimize(
      () => objective(head, plan, cfg, bank),
      true,
      head.trainable,
    );
    if (!loss) throw new Error('the optimiser returned no loss');
    return loss;
  });
}

/** Trains the head for cfg.steps steps (none when nothing is trainable); the loss per step. */
export async function trainHead(
  head: Head,
  plan: HeadPlan,
  cfg: FinetuneConfig,
  rng: () => number,
  viewShare: number,
  { progress, isCancelled, mayContinue, now }: StepControl,
): Promise<number[]> {
  const losses: number[] = [];
  const trainStart = now();
  const P = plan.people;
  const rehearsal = plan.rehearsalRows.length;
  // Nothing to train (tied templates without an adapter): the base model, checked as usual.
  for (let step = 0; step < (head.trainable.length > 0 ? cfg.steps : 0); step++) {
    await mayContinue();
    if (isCancelled()) throw new FinetuneCancelled();
    const pick = Array.from({ length: Math.min(cfg.bankBatch, rehearsal) }, () =>
      Math.floor(rng() * rehearsal),
    );
    const labels = pick.map((i) => plan.bankLabels[i] ?? P);
    const loss = optimiserStep(head, plan, cfg, { pick, labels });
    let value: number;
    try {
      value = (await loss.data())[0] ?? Number.NaN;
    } finally {
      loss.dispose();
    }
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
  return losses;
}

/** The trained values: the adapter (null at rank 0) and the class weights, people x dim. */
export async function readHead(
  head: Head,
  cfg: FinetuneConfig,
  dim: number,
): Promise<{ adapter: Adapter | null; classWeights: Float32Array }> {
  const adapter: Adapter | null = head.adapter
    ? {
        dim,
        rank: cfg.rank,
        a: new Float32Array(await head.adapter.a.data()),
        b: new Float32Array(await head.adapter.b.data()),
      }
    : null;
  return { adapter, classWeights: new Float32Array(await head.classW.data()) };
}
