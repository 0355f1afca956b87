/**
 * Face verification accuracy of a model on pairs of an LFW-layout folder, with the app's own
 * detection + alignment (headless Chromium) and embedding (tfjs, wasm backend):
 *
 *   npm run eval -- --data <LFW-layout folder> --pairs <pairs.txt> [--folds 6-10] [--json out.json]
 *                   [--model models] [--roc docs/roc.svg] [--cache <crop cache folder>] [--single-pass]
 *                   [--enrolled 10,50,100] [--trials 20] [--thresholds <manifest.json>]
 *
 * Crops come from the app's front end in IMAGE mode (two landmark passes; --single-pass for one),
 * cached under .cache/crops/ per dataset folder and front end.
 *
 * Prints and writes: accuracy (mean over the selected folds, each fold's threshold chosen on the
 * other selected folds), accuracy_std, tar_at_far_1e-3, eer, auc, no_face, pairs, model.
 * A pair with an image where no face was found counts as a "different" decision (score -1).
 *
 * `levels`: each security level at the thresholds the model ships (the --model manifest's, or
 * --thresholds <manifest.json>; never re-chosen here), its promised FAR against the FAR and FRR
 * measured over every image pair of the selected folds, 1:1 and 1:N per attempt for each
 * --enrolled N (scripts/lib/levels.ts says how). Embeddings are cached under .cache/embeddings/.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Embedder } from '../src/lib/embedding/embedder.ts';
import { foldAccuracy, rocCurve, verificationReport, type ScoredPair } from './lib/calibrate.ts';
import { parseFolds, parsePairs, type LfwPair } from './lib/lfw-pairs.ts';
import { rocSvg } from './lib/roc-svg.ts';
import type { ModelManifest } from '../src/lib/embedding/manifest.ts';
import { datasetArgs, prepareDataset } from './prepare-dataset.ts';
import { IMAGE_REFINE } from '../src/lib/vision/front-end-version.ts';
import { intFlag, readFlags, UsageError } from './lib/cli.ts';
import { frontEndTag } from './lib/crop-folder.ts';
import { cosine, embedRecords, loadCrop } from './lib/embed-crops.ts';
import { cachedEmbeddings } from './lib/embedding-cache.ts';
import {
  levelsReport,
  levelsTable,
  pairScores,
  similarityMatrix,
  type LevelReport,
} from './lib/levels.ts';
import type { CropRecord } from './prepare-dataset.ts';
import { fileFetcher, readManifest } from './lib/model-files.ts';
import { initTf } from './lib/tf-node.ts';

export interface EvalArgs {
  data: string;
  pairs: string;
  folds: number[] | null;
  json: string | null;
  model: string;
  roc: string | null;
  cache: string | null;
  backend: 'wasm' | 'cpu';
  refine: boolean;
  /** Gallery sizes for the 1:N level check (default 10, 50, 100). */
  enrolled?: number[];
  /** 1:N attempts per probe image and N (default 20). */
  trials?: number;
  /** Manifest whose `thresholds` the levels are measured at (default: the model's). */
  thresholds?: string | null;
}

export interface LevelsResult {
  thresholds_from: string;
  /** Images named by the selected pairs with a face (the levels' population), and without. */
  images: number;
  people: number;
  no_face: number;
  per_level: LevelReport[];
}

export interface EvalResult {
  accuracy: number;
  accuracy_std: number;
  'tar_at_far_1e-3': number;
  eer: number;
  auc: number;
  no_face: number;
  pairs: number;
  folds: number[];
  model: string;
  threshold_from_same_fold: boolean;
  per_fold: { fold: number; accuracy: number; threshold: number }[];
  data: string;
  pairs_file: string;
  levels: LevelReport[];
  levels_population: Omit<LevelsResult, 'per_level'>;
}

const USAGE =
  'npm run eval -- --data <LFW-layout folder> --pairs <pairs.txt> [--folds 6-10] [--json out.json] ' +
  '[--model models] [--roc docs/roc.svg] [--cache <crop cache folder>] [--refine | --single-pass] ' +
  '[--backend wasm|cpu] [--enrolled 10,50,100] [--trials 20] [--thresholds <manifest.json>]';

function evalArgs(): EvalArgs {
  const flags = readFlags(USAGE, {
    data: { type: 'string', default: '' },
    pairs: { type: 'string', default: '' },
    folds: { type: 'string' },
    json: { type: 'string' },
    model: { type: 'string', default: 'models' },
    roc: { type: 'string' },
    cache: { type: 'string' },
    refine: { type: 'boolean', default: false },
    'single-pass': { type: 'boolean', default: false },
    backend: { type: 'string', default: 'wasm' },
    enrolled: { type: 'string', default: '10,50,100' },
    trials: { type: 'string', default: '20' },
    thresholds: { type: 'string' },
  });
  if (!flags.data || !flags.pairs) throw new UsageError(`usage: ${USAGE}`);
  if (flags.refine && flags['single-pass']) {
    throw new UsageError('--refine and --single-pass exclude each other');
  }
  return {
    data: flags.data,
    pairs: flags.pairs,
    folds: flags.folds === undefined ? null : parseFolds(flags.folds),
    json: flags.json ?? null,
    model: flags.model,
    roc: flags.roc ?? null,
    cache: flags.cache ?? null,
    backend: flags.backend === 'cpu' ? 'cpu' : 'wasm',
    refine: flags.refine ? true : flags['single-pass'] ? false : IMAGE_REFINE,
    enrolled: flags.enrolled.split(',').map((n) => intFlag(n.trim(), 'enrolled')),
    trials: intFlag(flags.trials, 'trials'),
    thresholds: flags.thresholds ?? null,
  };
}

/**
 * One crop cache per dataset folder and front end, shared by every run and model (crops do not
 * depend on the model, but do on how faces are found and aligned).
 */
export function defaultCropCache(data: string, refine = IMAGE_REFINE): string {
  const abs = resolve(data);
  const tag = createHash('sha256')
    .update(`${abs}\n${frontEndTag(refine)}`)
    .digest('hex')
    .slice(0, 8);
  return resolve(import.meta.dirname, `../.cache/crops/${basename(abs)}-${tag}`);
}

export function selectPairs(all: LfwPair[], folds: number[] | null): LfwPair[] {
  return folds ? all.filter((p) => folds.includes(p.fold)) : all;
}

export interface EmbeddedPairs {
  pairs: LfwPair[];
  records: CropRecord[];
  embeddings: Map<string, Float32Array>;
  embedder: Embedder;
}

/**
 * Crops (cached per dataset and front end) and embeddings (cached per model and crop cache when
 * the model comes from --model) of every image the selected pairs name.
 */
export async function embedPairImages(
  args: EvalArgs,
  embedderIn?: Embedder,
): Promise<EmbeddedPairs> {
  const pairs = selectPairs(parsePairs(readFileSync(args.pairs, 'utf8')), args.folds);
  if (pairs.length === 0) throw new Error('no pairs in the selected folds');
  const files = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
  const cache = resolve(args.cache ?? defaultCropCache(args.data, args.refine));
  const records = await prepareDataset(
    datasetArgs({ data: args.data, out: cache, refine: args.refine, files }),
    false,
  );
  const found = new Set(records.map((r) => r.file));
  const missing = files.filter((f) => !found.has(f));
  if (missing.length)
    throw new Error(`${missing.length} images named by the pairs are missing, e.g. ${missing[0]}`);

  await initTf(args.backend);
  const embedder =
    embedderIn ?? (await Embedder.load(readManifest(args.model), fileFetcher(args.model)));
  const withCrop = records.filter((r) => r.crop);
  const byFile = new Map(withCrop.map((r) => [r.file, r]));
  const load = (file: string) => loadCrop(cache, byFile.get(file) as CropRecord);
  // The cache is keyed by the manifest (id and file hashes) and the crop cache, so another model
  // or front end embeds afresh; an embedder passed in may hold other weights under the same
  // manifest (a fine-tune), so it is never cached.
  const weights = embedder.manifest.files.map((f) => f.sha256.slice(0, 12)).join('-');
  const tag = createHash('sha256')
    .update(`${embedder.manifest.id}\n${weights}\n${cache}`)
    .digest('hex')
    .slice(0, 10);
  const embeddings = embedderIn
    ? await embedRecords(embedder, cache, withCrop)
    : await cachedEmbeddings(
        embedder,
        resolve(import.meta.dirname, `../.cache/embeddings/${basename(cache)}-${tag}`),
        withCrop.map((r) => r.file),
        load,
        'embedding',
      );
  return { pairs, records, embeddings, embedder };
}

/**
 * The images the selected pairs name that have a face, their people and similarity matrix. Only
 * these: the embedding cache may hold other folds' images too.
 */
export function pairImages(embedded: EmbeddedPairs): {
  files: string[];
  people: string[];
  sim: Float32Array;
  noFace: number;
} {
  const named = [...new Set(embedded.pairs.flatMap((p) => [p.a, p.b]))].sort();
  const files = named.filter((f) => embedded.embeddings.has(f));
  const people = files.map((f) => f.split('/')[0] as string);
  const sim = similarityMatrix({
    people,
    embeddings: files.map((f) => embedded.embeddings.get(f) as Float32Array),
  });
  return { files, people, sim, noFace: named.length - files.length };
}

/** The security levels measured on the images of `embedded` (see LevelsResult). */
export function measureLevels(
  embedded: EmbeddedPairs,
  thresholds: ModelManifest['thresholds'],
  thresholdsFrom: string,
  options: { enrolled: number[]; trials: number },
): LevelsResult {
  const { files, people, sim, noFace } = pairImages(embedded);
  const scores = pairScores(people, sim);
  return {
    thresholds_from: thresholdsFrom,
    images: files.length,
    people: new Set(people).size,
    no_face: noFace,
    per_level: levelsReport(people, sim, scores, thresholds, options),
  };
}

export async function evaluate(args: EvalArgs, embedderIn?: Embedder): Promise<EvalResult> {
  const embedded = await embedPairImages(args, embedderIn);
  const { pairs, records, embeddings, embedder } = embedded;
  const noFace = records.filter((r) => !r.crop).length;
  const scored: ScoredPair[] = pairs.map((p) => {
    const a = embeddings.get(p.a);
    const b = embeddings.get(p.b);
    return { score: a && b ? cosine(a, b) : -1, same: p.same, fold: p.fold };
  });
  const folds = [...new Set(pairs.map((p) => p.fold))].sort((x, y) => x - y);
  const report = verificationReport(scored, folds);
  const perFold = foldAccuracy(scored, folds).perFold;
  const manifest: ModelManifest = embedder.manifest;
  const thresholdsFrom = args.thresholds ?? `${args.model}/manifest.json`;
  const thresholds = args.thresholds
    ? (JSON.parse(readFileSync(args.thresholds, 'utf8')) as ModelManifest).thresholds
    : manifest.thresholds;
  const { per_level: levels, ...population } = measureLevels(embedded, thresholds, thresholdsFrom, {
    enrolled: args.enrolled ?? [10, 50, 100],
    trials: args.trials ?? 20,
  });
  const result: EvalResult = {
    accuracy: report.accuracy,
    accuracy_std: report.accuracyStd,
    'tar_at_far_1e-3': report.tarAtFar1e3,
    eer: report.eer,
    auc: report.auc,
    no_face: noFace,
    pairs: report.pairs,
    folds,
    model: manifest.id,
    threshold_from_same_fold: report.thresholdFromSameFold,
    per_fold: perFold,
    data: args.data,
    pairs_file: args.pairs,
    levels,
    levels_population: population,
  };
  if (args.json) {
    mkdirSync(dirname(resolve(args.json)), { recursive: true });
    writeFileSync(args.json, `${JSON.stringify(result, null, 2)}\n`);
  }
  if (args.roc) {
    const roc = rocCurve(scored);
    mkdirSync(dirname(resolve(args.roc)), { recursive: true });
    writeFileSync(
      args.roc,
      rocSvg(
        [
          {
            label: `${manifest.id} (${(100 * result.accuracy).toFixed(2)}%)`,
            far: roc.far,
            tar: roc.tar,
          },
        ],
        {
          title: `ROC, ${basename(args.pairs)} folds ${folds.join(',')}`,
          logFar: true,
          tarMin: 0.8,
        },
      ),
    );
  }
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  Promise.resolve()
    .then(() => evaluate(evalArgs()))
    .then((r) => {
      console.log(JSON.stringify({ ...r, per_fold: undefined, levels: undefined }, null, 2));
      console.log(levelsTable(r.levels));
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
