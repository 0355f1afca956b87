/**
 * Does on-device fine-tuning help? The app's own fine-tuning code (src/lib/finetune) in Node, on
 * people the model and the background bank never saw:
 *
 *   npm run eval-finetune -- [--crops .cache/lfw-crops] [--pairs ../shared/data/lfw/pairs.txt]
 *     [--model models] [--folds 6-10] [--min-images 10] [--enroll 5] [--max-probes 20]
 *     [--group 4] [--variants clean,degraded] [--json docs/eval-finetune.json]
 *     [--steps N --lr X --rank N --s X --m X --views N --rehearsal X --decay X]
 *
 * People of the test folds with at least --min-images crops are enrolled in households of --group
 * people (--enroll images each; the rest, up to --max-probes, are their probes). Each household
 * gets its own fine-tune. Impostors of a household: the other members, every other enrolled
 * person, and the "outside" people (test-fold people with fewer images: neither enrolled anywhere
 * nor in the bank). Reported before vs after, at the manifest's FAR-1e-3 threshold: false-reject
 * rate, TAR at FAR 1e-3 (threshold re-chosen on these impostors), outside false-accept rate.
 * "after" is what the app would use (templates if their guard kept them, score normalisation if
 * its check kept it); "after_without_guard" the trained templates alone; "base_znorm" the score
 * normalisation alone. Variants: "clean"; "degraded" (held-out probes and outside people through
 * scripts/lib/degrade.ts, enrollment as it is); "degraded-all" (enrollment degraded too).
 */
// tfjs-core's CommonJS build first, then the gradients (see scripts/train.ts).
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readFlags, numberFlag } from './lib/cli.ts';
import { Embedder } from '../src/lib/embedding/embedder.ts';
import type { CropPixels } from '../src/lib/embedding/preprocess.ts';
import { adaptEmbedding } from '../src/lib/finetune/adapter.ts';
import { decodeBank } from '../src/lib/finetune/bank.ts';
import { bankReference, cohortStats } from '../src/lib/finetune/score-norm.ts';
import {
  DEFAULT_FINETUNE,
  finetune,
  type FinetuneConfig,
  type GuardReport,
} from '../src/lib/finetune/finetune.ts';
import { tarAtFar, type ScoredPair } from './lib/calibrate.ts';
import { parseFolds, parsePairs, peopleInFolds } from './lib/lfw-pairs.ts';
import { normaliseScore, type ScoreStats } from '../src/lib/math/score-norm.ts';
import { seededRandom } from '../src/lib/math/seeded-random.ts';
import type { CropRecord } from './prepare-dataset.ts';
import { degradeCrop, hashString } from './lib/degrade.ts';
import { cachedEmbeddings } from './lib/embedding-cache.ts';
import { loadCrop } from './lib/embed-crops.ts';
import { fileFetcher, readManifest } from './lib/model-files.ts';
import { initTf } from './lib/tf-node.ts';
import { readAlignedCrops } from './lib/crop-folder.ts';

const values = readFlags(
  'npm run eval-finetune -- [--crops .cache/lfw-crops] [--pairs pairs.txt] [--model models] ' +
    '[--folds 6-10] [--min-images 10] [--enroll 5] [--max-probes 20] [--group 4] ' +
    '[--variants clean,degraded,degraded-all] [--json FILE] [--seed 1] [--households N] ' +
    '[--steps N] [--lr X] [--rank N] [--s X] [--m X] [--views N] [--view-budget N] ' +
    '[--score-norm on|off] [--rehearsal X] [--decay X] [--anchor X] [--repel X] [--repel-margin X] ' +
    '[--templates head|mean|views|base] [--augment mild|webcam] [--bank-classes N] [--bank-batch N]',
  {
    crops: { type: 'string', default: '.cache/lfw-crops' },
    pairs: { type: 'string', default: '../shared/data/lfw/pairs.txt' },
    model: { type: 'string', default: 'models' },
    folds: { type: 'string', default: '6-10' },
    'min-images': { type: 'string', default: '10' },
    enroll: { type: 'string', default: '5' },
    'max-probes': { type: 'string', default: '20' },
    group: { type: 'string', default: '4' },
    variants: { type: 'string', default: 'clean,degraded,degraded-all' },
    json: { type: 'string' },
    seed: { type: 'string', default: '1' },
    steps: { type: 'string' },
    lr: { type: 'string' },
    rank: { type: 'string' },
    s: { type: 'string' },
    m: { type: 'string' },
    views: { type: 'string' },
    'view-budget': { type: 'string' },
    'score-norm': { type: 'string' },
    rehearsal: { type: 'string' },
    decay: { type: 'string' },
    anchor: { type: 'string' },
    repel: { type: 'string' },
    'repel-margin': { type: 'string' },
    templates: { type: 'string' },
    households: { type: 'string' },
    augment: { type: 'string' },
    'bank-classes': { type: 'string' },
    'bank-batch': { type: 'string' },
  },
);

function configFromArgs(): FinetuneConfig {
  const cfg = { ...DEFAULT_FINETUNE };
  const num = (k: keyof typeof values) => {
    const v = values[k];
    return typeof v === 'string' ? numberFlag(v, k) : undefined;
  };
  cfg.steps = num('steps') ?? cfg.steps;
  cfg.lr = num('lr') ?? cfg.lr;
  cfg.rank = num('rank') ?? cfg.rank;
  cfg.s = num('s') ?? cfg.s;
  cfg.m = num('m') ?? cfg.m;
  cfg.views = num('views') ?? cfg.views;
  cfg.viewBudget = num('view-budget') ?? cfg.viewBudget;
  if (values['score-norm'] !== undefined) cfg.scoreNorm = values['score-norm'] !== 'off';
  cfg.rehearsal = num('rehearsal') ?? cfg.rehearsal;
  cfg.decay = num('decay') ?? cfg.decay;
  cfg.anchor = num('anchor') ?? cfg.anchor;
  cfg.bankClasses = num('bank-classes') ?? cfg.bankClasses;
  cfg.bankBatch = num('bank-batch') ?? cfg.bankBatch;
  cfg.repel = num('repel') ?? cfg.repel;
  cfg.repelMargin = num('repel-margin') ?? cfg.repelMargin;
  if (values.augment === 'mild' || values.augment === 'webcam') cfg.augment = values.augment;
  const templates = values.templates;
  if (
    templates === 'head' ||
    templates === 'mean' ||
    templates === 'views' ||
    templates === 'base'
  ) {
    cfg.templates = templates;
  }
  return cfg;
}

interface Metrics {
  genuine: number;
  impostors: number;
  outside_impostors: number;
  frr_at_threshold: number;
  'tar_at_far_1e-3': number;
  far_at_threshold: number;
  outside_far_at_threshold: number;
  false_rejects: number;
  outside_false_accepts: number;
  lowest_genuine: number[];
}

function metrics(genuine: number[], impostor: number[], outside: number[], t: number): Metrics {
  const pairs: ScoredPair[] = [
    ...genuine.map((score) => ({ score, same: true })),
    ...impostor.map((score) => ({ score, same: false })),
  ];
  return {
    genuine: genuine.length,
    impostors: impostor.length,
    outside_impostors: outside.length,
    frr_at_threshold: genuine.filter((s) => s < t).length / genuine.length,
    'tar_at_far_1e-3': tarAtFar(pairs, 1e-3).tar,
    far_at_threshold: impostor.filter((s) => s >= t).length / impostor.length,
    outside_far_at_threshold: outside.filter((s) => s >= t).length / outside.length,
    false_rejects: genuine.filter((s) => s < t).length,
    outside_false_accepts: outside.filter((s) => s >= t).length,
    lowest_genuine: [...genuine]
      .sort((a, b) => a - b)
      .slice(0, 12)
      .map((x) => Number(x.toFixed(3))),
  };
}

const unitMean = (rows: Float32Array[]) => {
  const dim = rows[0]?.length ?? 0;
  const m = new Float32Array(dim);
  for (const r of rows) for (let j = 0; j < dim; j++) m[j] = (m[j] ?? 0) + (r[j] ?? 0);
  const n = Math.sqrt(m.reduce((a, x) => a + x * x, 0)) || 1;
  return m.map((x) => x / n);
};
const dot = (a: Float32Array, b: Float32Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] ?? 0) * (b[i] ?? 0);
  return s;
};

async function main() {
  const started = Date.now();
  await initTf('wasm');
  const modelDir = resolve(values.model);
  const manifest = readManifest(modelDir);
  if (!manifest.background)
    throw new Error('the model has no background bank: npm run make-background-bank');
  const embedder = await Embedder.load(manifest, fileFetcher(modelDir));
  const bankBytes = readFileSync(join(modelDir, manifest.background.file));
  const bank = decodeBank(
    manifest.background,
    bankBytes.buffer.slice(bankBytes.byteOffset, bankBytes.byteOffset + bankBytes.byteLength),
  );
  const threshold = manifest.thresholds['far_1e-3'];
  const reference = bankReference(bank);
  const cfg = configFromArgs();
  const records = readAlignedCrops(values.crops);
  const byFile = new Map(records.map((r) => [r.file, r]));
  const folds = parseFolds(values.folds);
  const testPeople = peopleInFolds(parsePairs(readFileSync(values.pairs, 'utf8')), folds);
  const byPerson = new Map<string, string[]>();
  for (const r of records) {
    if (testPeople.has(r.person))
      byPerson.set(r.person, [...(byPerson.get(r.person) ?? []), r.file]);
  }
  const minImages = Number(values['min-images']);
  const enrollCount = Number(values.enroll);
  const maxProbes = Number(values['max-probes']);
  const seed = Number(values.seed);
  const enrolled = [...byPerson.keys()]
    .filter((p) => (byPerson.get(p)?.length ?? 0) >= minImages)
    .sort();
  const outsidePeople = [...byPerson.keys()]
    .filter((p) => (byPerson.get(p)?.length ?? 0) < minImages)
    .sort();
  const plan = new Map<string, { enroll: string[]; probes: string[] }>();
  for (const p of enrolled) {
    const rng = seededRandom(hashString(p) ^ seed);
    const files = [...(byPerson.get(p) ?? [])]
      .map((f) => ({ f, r: rng() }))
      .sort((a, b) => a.r - b.r)
      .map((x) => x.f);
    plan.set(p, {
      enroll: files.slice(0, enrollCount),
      probes: files.slice(enrollCount, enrollCount + maxProbes),
    });
  }
  const outsideFiles = outsidePeople.flatMap((p) => byPerson.get(p) ?? []);
  const groupRng = seededRandom(seed * 7919);
  const order = [...enrolled]
    .map((p) => ({ p, r: groupRng() }))
    .sort((a, b) => a.r - b.r)
    .map((x) => x.p);
  const groupSize = Number(values.group);
  const groups: string[][] = [];
  for (let i = 0; i < order.length; i += groupSize) groups.push(order.slice(i, i + groupSize));
  // For quick development runs; reported results use every household.
  if (values.households) groups.splice(Number(values.households));
  console.log(
    `${enrolled.length} enrolled people in ${groups.length} households, ${[...plan.values()].reduce((n, p) => n + p.probes.length, 0)} probes; ${outsidePeople.length} outside people, ${outsideFiles.length} images; threshold ${threshold.toFixed(3)}`,
  );

  const results: Record<string, unknown> = {};
  for (const variant of values.variants.split(',')) {
    // 'degraded': held-out probes and outside people through the webcam-like transform, enrollment
    // as it is; 'degraded-all': enrollment degraded too (a webcam on both days).
    const degradedProbes = variant !== 'clean';
    const degradedEnroll = variant === 'degraded-all';
    const pixelsOf =
      (degraded: boolean) =>
      (file: string): CropPixels => {
        const crop = loadCrop(values.crops, byFile.get(file) as CropRecord);
        return degraded ? degradeCrop(crop, file) : crop;
      };
    const needed = [
      ...[...plan.values()].flatMap((p) => [...p.enroll, ...p.probes]),
      ...outsideFiles,
    ];
    const embeddingsOf = (degraded: boolean) =>
      cachedEmbeddings(
        embedder,
        `.cache/finetune/${manifest.id}-eval-${degraded ? 'degraded' : 'clean'}`,
        needed,
        pixelsOf(degraded),
        `${degraded ? 'degraded' : 'clean'} crops`,
      );
    const probeEmb = await embeddingsOf(degradedProbes);
    const enrollEmb =
      degradedEnroll === degradedProbes ? probeEmb : await embeddingsOf(degradedEnroll);
    const pixels = pixelsOf(degradedEnroll);
    const get = (f: string) => probeEmb.get(f) as Float32Array;
    const getEnrolled = (f: string) => enrollEmb.get(f) as Float32Array;
    const bucket = () => ({ g: [] as number[], i: [] as number[], o: [] as number[] });
    // after: what the app uses (guarded templates, score normalisation if its check kept it);
    // after_without_guard: the trained templates, raw; base_znorm: score normalisation alone.
    const scores = { base: bucket(), guarded: bucket(), unguarded: bucket(), base_znorm: bucket() };
    const guards: GuardReport[] = [];
    let normsKept = 0;
    const ms: number[] = [];
    for (const [gi, group] of groups.entries()) {
      const people = group.map((p) => ({
        id: p,
        samples: (plan.get(p)?.enroll ?? []).map((f) => ({
          embedding: getEnrolled(f),
          crop: pixels(f),
        })),
      }));
      const result = await finetune({
        people,
        bank,
        threshold,
        embed: (c) => embedder.embed(c),
        config: { ...cfg, seed: cfg.seed + gi },
      });
      guards.push(result.guard);
      ms.push(result.ms.total);
      process.stdout.write(
        `${variant}: household ${gi + 1}/${groups.length} ${result.guard.accepted ? 'kept' : 'refused'} (${(result.ms.total / 1000).toFixed(1)} s: views ${(result.ms.views / 1000).toFixed(1)}, train ${(result.ms.train / 1000).toFixed(1)}, check ${(result.ms.check / 1000).toFixed(1)}; loss ${result.losses[0]?.toFixed(2)} → ${result.losses.at(-1)?.toFixed(2)}) ${result.guard.reason} Score normalisation: ${result.norm ? 'kept' : `refused (${result.normGuard?.reason ?? 'off'})`}.\n`,
      );
      const tScore = Date.now();
      const baseTemplates = group.map((p) =>
        unitMean((plan.get(p)?.enroll ?? []).map(getEnrolled)),
      );
      const identity = (_k: number, v: number) => v;
      const zNorm = (stats: readonly ScoreStats[]) => (k: number, v: number) =>
        normaliseScore(v, stats[k] as ScoreStats, reference);
      type Scoring = {
        f: (e: Float32Array) => Float32Array;
        templates: Float32Array[];
        score: (k: number, v: number) => number;
      };
      const tuned: Scoring = {
        f: (e) => (result.adapter ? adaptEmbedding(result.adapter, e) : e),
        templates: result.templates,
        score: identity,
      };
      const base: Scoring = { f: (e) => e, templates: baseTemplates, score: identity };
      const used = result.guard.accepted ? tuned : base;
      const variants: [keyof typeof scores, Scoring][] = [
        ['base', base],
        ['guarded', { ...used, score: result.norm ? zNorm(result.norm.stats) : identity }],
        ['unguarded', tuned],
        ['base_znorm', { ...base, score: zNorm(baseTemplates.map((t) => cohortStats(t, bank))) }],
      ];
      if (result.norm) normsKept++;
      for (const [name, { f, templates, score }] of variants) {
        const s = scores[name];
        for (const p of enrolled) {
          const own = group.indexOf(p);
          for (const probe of plan.get(p)?.probes ?? []) {
            const e = f(get(probe));
            templates.forEach((t, k) => (k === own ? s.g : s.i).push(score(k, dot(t, e))));
          }
        }
        for (const file of outsideFiles) {
          const e = f(get(file));
          templates.forEach((t, k) => {
            const v = score(k, dot(t, e));
            s.i.push(v);
            s.o.push(v);
          });
        }
      }
      process.stdout.write(`  scoring ${Date.now() - tScore} ms\n`);
    }
    const report = {
      base: metrics(scores.base.g, scores.base.i, scores.base.o, threshold),
      after: metrics(scores.guarded.g, scores.guarded.i, scores.guarded.o, threshold),
      after_without_guard: metrics(
        scores.unguarded.g,
        scores.unguarded.i,
        scores.unguarded.o,
        threshold,
      ),
      base_znorm: metrics(scores.base_znorm.g, scores.base_znorm.i, scores.base_znorm.o, threshold),
      households: groups.length,
      kept: guards.filter((g) => g.accepted).length,
      score_norm_kept: normsKept,
      refusals: guards.filter((g) => !g.accepted).map((g) => g.reason),
      finetune_seconds_median: [...ms].sort((a, b) => a - b)[Math.floor(ms.length / 2)]! / 1000,
    };
    results[variant] = report;
    const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
    console.log(`\n${variant}: ${report.kept}/${report.households} fine-tunes kept`);
    for (const key of ['base', 'after', 'after_without_guard', 'base_znorm'] as const) {
      const m = report[key];
      console.log(
        `  ${key.padEnd(20)} FR ${m.false_rejects}/${m.genuine} FRR@t ${pct(m.frr_at_threshold)}  TAR@1e-3 ${pct(m['tar_at_far_1e-3'])}  outside FAR@t ${pct(m.outside_far_at_threshold)}  all FAR@t ${pct(m.far_at_threshold)}  lowest ${m.lowest_genuine.slice(0, 8).join(' ')}`,
      );
    }
  }
  const out = {
    command: `npm run eval-finetune -- ${process.argv.slice(2).join(' ')}`.trim(),
    model: manifest.id,
    'threshold_far_1e-3': threshold,
    folds,
    config: cfg,
    enrolled_people: enrolled.length,
    households: groups.length,
    outside_people: outsidePeople.length,
    outside_images: outsideFiles.length,
    results,
    seconds: (Date.now() - started) / 1000,
  };
  if (values.json) {
    mkdirSync(dirname(values.json), { recursive: true });
    writeFileSync(values.json, `${JSON.stringify(out, null, 2)}\n`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
