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
 * The steps, each in its own module: embed the training data and augmented views
 * (training-data.ts), plan the head (head-plan.ts), train it (head-training.ts, the only tensors,
 * all released before the check), build the templates, check them (guard.ts), and check score
 * normalisation on its own (scoreNormStep).
 *
 * Gradients: the entry point must import '@tensorflow/tfjs-core/dist/register_all_gradients'.
 */
import { normaliseScore, type ScoreNorm, type ScoreStats } from '../math/score-norm';
import { seededRandom } from '../math/seeded-random';
import { adaptEmbedding, type Adapter } from './adapter';
import type { BackgroundBank } from './bank';
import { DEFAULT_FINETUNE, type FinetuneConfig } from './config';
import { checkAdapter, type GuardReport } from './guard';
import { planHead } from './head-plan';
import { createHead, disposeHead, readHead, trainHead } from './head-training';
import type { FinetuneProgress } from './progress';
import { unitMean } from './rows';
import { bankReference, cohortStats } from './score-norm';
import {
  embedTrainingData,
  rowsOf,
  type Embed,
  type FinetunePerson,
  type TrainingData,
} from './training-data';

// The fine-tune's public surface, wherever each part lives.
export { DEFAULT_FINETUNE, type FinetuneConfig } from './config';
export { checkAdapter, type GuardReport } from './guard';
export { pickBankClasses } from './head-plan';
export { headLoss } from './head-training';
export { FinetuneCancelled, type FinetunePhase, type FinetuneProgress } from './progress';
export type { FinetunePerson, FinetuneSample } from './training-data';

export interface FinetuneResult {
  /** Null when rank is 0 (only the head was trained). */
  adapter: Adapter | null;
  /** One unit template per person (in the order given), in the adapted space. */
  templates: Float32Array[];
  guard: GuardReport;
  /**
   * For the trained templates when the guard accepted them, else for the base templates (the mean
   * of each person's samples); null when off or refused by its own check (normGuard).
   */
  norm: ScoreNorm | null;
  normGuard: GuardReport | null;
  losses: number[];
  views: number;
  ms: { views: number; train: number; check: number; total: number };
}

export interface FinetuneArgs {
  people: readonly FinetunePerson[];
  bank: BackgroundBank;
  /** The app's acceptance threshold (cosine) that the check holds the adapter to. */
  threshold: number;
  embed: Embed;
  config?: Partial<FinetuneConfig>;
  onProgress?: (p: FinetuneProgress) => void;
  isCancelled?: () => boolean;
  /** Awaited before each batch of views and each step (the worker's RunHold); none: never held. */
  mayContinue?: () => Promise<void>;
  now?: () => number;
}

/** The templates the app will match against, one per person, from the trained head or adapter. */
function templatesFrom(
  data: TrainingData,
  cfg: FinetuneConfig,
  classWeights: Float32Array,
  adapt: (e: Float32Array) => Float32Array,
  withHeld: boolean,
): Float32Array[] {
  const { split } = data;
  const dim = classWeights.length / split.train.length;
  return split.train.map((train, p) => {
    if (cfg.templates === 'head')
      return unitMean([classWeights.slice(p * dim, (p + 1) * dim)], dim);
    if (cfg.templates === 'base') return baseTemplate(data, p, withHeld, dim);
    const rows = cfg.templates === 'views' ? rowsOf(data, p) : train;
    const held = withHeld ? (split.validation[p] ?? []) : [];
    return unitMean([...rows, ...held].map(adapt), dim);
  });
}

/** Person p's base-model template; the check holds out one sample, the app keeps every one. */
function baseTemplate(data: TrainingData, p: number, withHeld: boolean, dim: number): Float32Array {
  const { split } = data;
  return unitMean(
    [...(split.train[p] ?? []), ...(withHeld ? (split.validation[p] ?? []).slice(0, 1) : [])],
    dim,
  );
}

/**
 * Score normalisation against the bank, for the trained templates if the guard kept them, else
 * for the base ones; kept only if its own check (by counts at the threshold) accepts it.
 */
function scoreNormStep(
  data: TrainingData,
  bank: BackgroundBank,
  threshold: number,
  guard: GuardReport,
  trained: {
    adapt: (e: Float32Array) => Float32Array;
    checked: Float32Array[];
    kept: Float32Array[];
  },
): { norm: ScoreNorm | null; normGuard: GuardReport } {
  const reference = bankReference(bank);
  const baseWith = (withHeld: boolean) =>
    data.split.train.map((_, p) => baseTemplate(data, p, withHeld, bank.dim));
  const f = guard.accepted ? trained.adapt : (e: Float32Array) => e;
  const checked = guard.accepted ? trained.checked : baseWith(false);
  const checkedStats = checked.map((t) => cohortStats(t, bank));
  const normGuard = checkAdapter(f, checked, data.split.train, data.validation, bank, threshold, {
    before: { adapt: f, templates: checked },
    score: (k, raw) => normaliseScore(raw, checkedStats[k] as ScoreStats, reference),
    countsOnly: true,
  });
  if (!normGuard.accepted) return { norm: null, normGuard };
  const kept = guard.accepted ? trained.kept : baseWith(true);
  return { norm: { reference, stats: kept.map((t) => cohortStats(t, bank)) }, normGuard };
}

export async function finetune(args: FinetuneArgs): Promise<FinetuneResult> {
  const cfg: FinetuneConfig = { ...DEFAULT_FINETUNE, ...args.config };
  const control = {
    now: args.now ?? (() => performance.now()),
    isCancelled: args.isCancelled ?? (() => false),
    mayContinue: args.mayContinue ?? (() => Promise.resolve()),
    progress: args.onProgress ?? (() => undefined),
  };
  const { now, progress } = control;
  const rng = seededRandom(cfg.seed);
  const t0 = now();
  if (args.people.length === 0) throw new Error('There is nobody enrolled to fine-tune for.');

  const data = await embedTrainingData(args.people, cfg, rng, args.embed, control);
  const tViews = now();

  const plan = planHead(data, args.bank, args.threshold, cfg);
  const trainStart = now();
  const head = createHead(plan, data, args.bank, cfg);
  let losses: number[];
  let trained: { adapter: Adapter | null; classWeights: Float32Array };
  try {
    losses = await trainHead(head, plan, cfg, rng, data.viewShare, control);
    trained = await readHead(head, cfg, plan.dim);
  } finally {
    disposeHead(head);
  }

  const { adapter } = trained;
  const adapt = (e: Float32Array) => (adapter ? adaptEmbedding(adapter, e) : e);
  const templates = templatesFrom(data, cfg, trained.classWeights, adapt, true);
  const heldOutTemplates = templatesFrom(data, cfg, trained.classWeights, adapt, false);
  const tTrain = now();
  progress({ phase: 'check', fraction: 0.97 });
  const guard = checkAdapter(
    adapt,
    heldOutTemplates,
    data.split.train,
    data.validation,
    args.bank,
    args.threshold,
  );
  const { norm, normGuard } = cfg.scoreNorm
    ? scoreNormStep(data, args.bank, args.threshold, guard, {
        adapt,
        checked: heldOutTemplates,
        kept: templates,
      })
    : { norm: null, normGuard: null };
  const tEnd = now();
  progress({ phase: 'check', fraction: 1 });
  return {
    adapter,
    templates,
    guard,
    norm,
    normGuard,
    losses,
    views: data.views,
    ms: {
      views: tViews - t0,
      train: tTrain - trainStart,
      check: tEnd - tTrain,
      total: tEnd - t0,
    },
  };
}
