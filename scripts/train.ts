/**
 * Trains the tail of the backbone (the layers after a cut tensor: global depthwise conv + linear
 * embedding) with a margin loss on frozen-trunk activations of LFW training identities, evaluates
 * on the test folds' pairs (people never trained on), calibrates thresholds on the calibration
 * fold's people, and optionally writes the model the app ships.
 *
 *   npm run train -- --method cosface --s 64 --m 0.35 [--init pretrained|random] [--epochs 6]
 *     [--lr 5e-4] [--batch 128] [--no-feature-norm] [--test-folds 6-10] [--calib-folds 5]
 *     [--val-folds ""] [--cut linear|gdc] [--out models] [--json docs/experiments/run.json] [--dtype float16]
 *
 * Runs in Node with tfjs (wasm for the trunk, cpu for training: wasm lacks gradient kernels).
 * Start it through `npm run train`, which loads the tfjs gradient definitions (see package.json).
 */
// Order matters in Node: tfjs-core's CommonJS build must load first so its Tensor class is the
// global one; the gradient definitions exist only in the ESM build (see esm-extensionless.mjs).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Embedder } from '../src/lib/embedding/embedder.ts';
import { runGraph } from '../src/lib/embedding/graph.ts';
import type { ModelManifest } from '../src/lib/embedding/manifest.ts';
import {
  foldAccuracy,
  tarAtFar,
  thresholdAtFar,
  rocCurve,
  type ScoredPair,
} from './lib/calibrate.ts';
import { parseFolds, parsePairs, peopleInFolds } from './lib/lfw-pairs.ts';
import {
  cosfaceScaleLowerBound,
  type MarginConfig,
  type MarginMethod,
} from '../src/lib/math/margin-losses.ts';
import { TailTrainer } from './lib/tail-trainer.ts';
import type { CropRecord } from './prepare-dataset.ts';
import {
  advanceActivations,
  concatActivations,
  trunkActivations,
  type ActivationSet,
} from './lib/activations.ts';
import { seededRandom } from './lib/dataset.ts';
import { fileFetcher, readManifest, writeModel } from './lib/model-files.ts';
import { makeSplits } from './lib/splits.ts';
import { EMBEDDING_CUT, TAIL_CUT } from './lib/tail-cut.ts';
import { initTf } from './lib/tf-node.ts';
import { formatSeconds } from './lib/progress.ts';
import { readAlignedCrops } from './lib/crop-folder.ts';
import { intFlag, numberFlag, readFlags } from './lib/cli.ts';
import { ALIGNMENT_DESCRIPTION } from '../src/lib/vision/front-end-version.ts';

export interface TrainArgs {
  base: string;
  crops: string;
  pairs: string;
  method: MarginMethod;
  s: number;
  m: number;
  featureNorm: boolean;
  init: 'pretrained' | 'random';
  epochs: number;
  lr: number;
  batch: number;
  seed: number;
  testFolds: number[];
  calibFolds: number[];
  valFolds: number[];
  flip: boolean;
  out: string | null;
  json: string | null;
  dtype: 'float16' | 'float32';
  label: string;
  /** Tensor after which layers are trained: EMBEDDING_CUT (linear layer) or TAIL_CUT (+ global depthwise conv). */
  cut: string;
  anchor: number;
  /** People with fewer aligned images are left out (1 keeps singletons as extra negative classes). */
  minImages: number;
  /**
   * A second LFW-layout crop folder whose people of `extraTrainFolds` (by its own pairs file,
   * whose folds hold disjoint identities) are added as training classes; the other folds' people
   * stay unseen for evaluation on that set.
   */
  extraCrops: string | null;
  extraPairs: string | null;
  extraTrainFolds: number[];
}

const USAGE =
  'npm run train -- [--method cosface] [--s 64] [--m 0.35] [--init pretrained|random] ' +
  '[--epochs 6] [--lr 5e-4] [--batch 128] [--seed 1] [--no-feature-norm] [--no-flip] ' +
  '[--test-folds 6-10] [--calib-folds 5] [--val-folds ""] [--cut linear|gdc] [--anchor 0] ' +
  '[--min-images 2] [--base .cache/models/base] [--crops .cache/lfw-crops] [--pairs pairs.txt] ' +
  '[--extra-crops DIR --extra-pairs FILE --extra-train-folds 1-5] [--out models] ' +
  '[--json run.json] [--dtype float16|float32] [--label NAME]';

function trainArgs(): TrainArgs {
  const f = readFlags(USAGE, {
    base: { type: 'string', default: '.cache/models/base' },
    crops: { type: 'string', default: '.cache/lfw-crops' },
    pairs: { type: 'string', default: '../shared/data/lfw/pairs.txt' },
    method: { type: 'string', default: 'cosface' },
    s: { type: 'string', default: '64' },
    m: { type: 'string', default: '0.35' },
    'no-feature-norm': { type: 'boolean', default: false },
    init: { type: 'string', default: 'pretrained' },
    epochs: { type: 'string', default: '6' },
    lr: { type: 'string', default: '5e-4' },
    batch: { type: 'string', default: '128' },
    seed: { type: 'string', default: '1' },
    'test-folds': { type: 'string', default: '6-10' },
    'calib-folds': { type: 'string', default: '5' },
    'val-folds': { type: 'string', default: '' },
    'no-flip': { type: 'boolean', default: false },
    out: { type: 'string' },
    json: { type: 'string' },
    dtype: { type: 'string', default: 'float16' },
    label: { type: 'string', default: '' },
    anchor: { type: 'string', default: '0' },
    'min-images': { type: 'string', default: '2' },
    'extra-crops': { type: 'string' },
    'extra-pairs': { type: 'string' },
    'extra-train-folds': { type: 'string' },
    cut: { type: 'string', default: 'linear' },
  });
  return {
    base: f.base,
    crops: f.crops,
    pairs: f.pairs,
    method: f.method as MarginMethod,
    s: numberFlag(f.s, 's'),
    m: numberFlag(f.m, 'm'),
    featureNorm: !f['no-feature-norm'],
    init: f.init === 'random' ? 'random' : 'pretrained',
    epochs: intFlag(f.epochs, 'epochs'),
    lr: numberFlag(f.lr, 'lr'),
    batch: intFlag(f.batch, 'batch'),
    seed: intFlag(f.seed, 'seed', 0),
    testFolds: parseFolds(f['test-folds']),
    calibFolds: parseFolds(f['calib-folds']),
    valFolds: f['val-folds'] ? parseFolds(f['val-folds']) : [],
    flip: !f['no-flip'],
    out: f.out ?? null,
    json: f.json ?? null,
    dtype: f.dtype === 'float32' ? 'float32' : 'float16',
    label: f.label,
    cut: f.cut === 'gdc' ? TAIL_CUT : EMBEDDING_CUT,
    anchor: numberFlag(f.anchor, 'anchor'),
    minImages: intFlag(f['min-images'], 'min-images'),
    extraCrops: f['extra-crops'] ?? null,
    extraPairs: f['extra-pairs'] ?? null,
    extraTrainFolds: f['extra-train-folds'] ? parseFolds(f['extra-train-folds']) : [],
  };
}

/** Unit embeddings of the tail for the given files (sum with the mirror view when `flip`). */
function tailEmbeddings(
  embedder: Embedder,
  params: ReadonlyMap<string, tf.Tensor>,
  acts: ActivationSet,
  files: readonly string[],
  flip: boolean,
  cut: string,
): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  const batch = 256;
  for (let i = 0; i < files.length; i += batch) {
    const chunk = files.slice(i, i + batch);
    const rows = chunk.map((f) => {
      const k = acts.index.get(f);
      if (k === undefined) throw new Error(`no activations for ${f}`);
      return k;
    });
    const take = (src: Float32Array) => {
      const buf = new Float32Array(rows.length * acts.size);
      rows.forEach((k, j) =>
        buf.set(src.subarray(k * acts.size, (k + 1) * acts.size), j * acts.size),
      );
      return tf.tensor(buf, [rows.length, ...acts.shape]);
    };
    const e = tf.tidy(() => {
      let x = runGraph(embedder.spec, params, take(acts.orig), { from: cut });
      if (flip) x = tf.add(x, runGraph(embedder.spec, params, take(acts.flip), { from: cut }));
      return tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-12));
    });
    const flat = e.dataSync() as Float32Array;
    e.dispose();
    const dim = flat.length / chunk.length;
    chunk.forEach((f, j) => out.set(f, flat.slice(j * dim, (j + 1) * dim)));
  }
  return out;
}

const dot = (a: Float32Array, b: Float32Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] ?? 0) * (b[i] ?? 0);
  return s;
};

/** The extra set's training-fold people with at least minImages aligned crops, as classes. */
function extraTraining(args: TrainArgs): { records: CropRecord[]; classes: string[] } {
  if (!args.extraCrops || !args.extraPairs || args.extraTrainFolds.length === 0) {
    throw new Error('--extra-crops needs --extra-pairs and --extra-train-folds');
  }
  const people = peopleInFolds(
    parsePairs(readFileSync(args.extraPairs, 'utf8')),
    args.extraTrainFolds,
  );
  const all = readAlignedCrops(args.extraCrops).filter((r) => people.has(r.person));
  const count = new Map<string, number>();
  for (const r of all) count.set(r.person, (count.get(r.person) ?? 0) + 1);
  const classes = [...count.keys()].filter((p) => (count.get(p) ?? 0) >= args.minImages).sort();
  const keep = new Set(classes);
  return { records: all.filter((r) => keep.has(r.person)), classes };
}

export async function train(args: TrainArgs) {
  const started = Date.now();
  await initTf('wasm');
  const baseManifest = readManifest(args.base);
  const embedder = await Embedder.load(baseManifest, fileFetcher(args.base));
  const records = readAlignedCrops(args.crops);
  const splits = makeSplits(
    args.pairs,
    records,
    {
      test: args.testFolds,
      calib: args.calibFolds,
      val: args.valFolds,
    },
    args.minImages,
  );
  const extra = args.extraCrops ? extraTraining(args) : null;
  if (extra) {
    splits.train.push(...extra.records);
    splits.classes.push(...extra.classes);
  }
  const needed = new Set([
    ...splits.train.map((r) => r.file),
    ...splits.pairs.flatMap((p) => [p.a, p.b]),
    ...records.filter((r) => splits.calibPeople.has(r.person)).map((r) => r.file),
  ]);
  let trunk = await trunkActivations(
    embedder,
    TAIL_CUT,
    args.crops,
    records.filter((r) => needed.has(r.file)),
    '.cache/activations',
  );
  if (extra && args.extraCrops) {
    trunk = concatActivations(
      trunk,
      await trunkActivations(
        embedder,
        TAIL_CUT,
        args.extraCrops,
        extra.records,
        '.cache/activations',
      ),
    );
  }
  const cut = args.cut;
  const acts =
    cut === TAIL_CUT
      ? trunk
      : await advanceActivations(trunk, embedder.spec, embedder.params, TAIL_CUT, cut);
  // Training runs on the cpu backend: tfjs-wasm lacks gradient kernels that this needs.
  await initTf('cpu');
  const baseParams = new Map<string, tf.Tensor>();
  for (const [k, v] of embedder.params) baseParams.set(k, tf.tensor(v.dataSync(), v.shape));

  const classes = splits.classes;
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const trainFiles = splits.train.map((r) => r.file);
  const trainLabels = splits.train.map((r) => classIndex.get(r.person) ?? -1);
  const config: MarginConfig = {
    method: args.method,
    s: args.s,
    m: args.m,
    lambda: args.method === 'sphereface' ? 5 : undefined,
    normalizeFeatures: args.featureNorm,
  };
  const dim = baseManifest.embedding.dim;
  let headInit: Float32Array | undefined;
  if (args.init === 'pretrained') {
    // Start the class weights at the class centres of the pretrained embeddings, so the first
    // steps refine the features instead of tearing them apart to fit a random head.
    const e = tailEmbeddings(embedder, baseParams, acts, trainFiles, false, cut);
    headInit = new Float32Array(classes.length * dim);
    trainFiles.forEach((f, i) => {
      const v = e.get(f);
      const c = trainLabels[i] ?? 0;
      if (v)
        for (let d = 0; d < dim; d++)
          headInit![c * dim + d] = (headInit![c * dim + d] ?? 0) + (v[d] ?? 0);
    });
  }
  const trainer = new TailTrainer({
    spec: embedder.spec,
    baseParams,
    cut,
    config,
    numClasses: classes.length,
    dim,
    init: args.init,
    lr: args.lr,
    seed: args.seed,
    headInit,
    anchor: args.anchor,
  });
  const params = trainer.params();

  const random = seededRandom(args.seed);
  const history: { epoch: number; loss: number; seconds: number }[] = [];
  const n = trainFiles.length;
  for (let epoch = 1; epoch <= args.epochs; epoch++) {
    const order = [...Array(n).keys()];
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
    }
    let lossSum = 0;
    let steps = 0;
    for (let b = 0; b < n; b += args.batch) {
      const idx = order.slice(b, b + args.batch);
      if (idx.length < args.batch / 2 && steps > 0) break;
      const buf = new Float32Array(idx.length * acts.size);
      idx.forEach((k, j) => {
        const row = acts.index.get(trainFiles[k] ?? '') ?? 0;
        const src = args.flip && random() < 0.5 ? acts.flip : acts.orig;
        buf.set(src.subarray(row * acts.size, (row + 1) * acts.size), j * acts.size);
      });
      const labels = tf.tensor1d(
        idx.map((k) => trainLabels[k] ?? 0),
        'int32',
      );
      const x = tf.tensor(buf, [idx.length, ...acts.shape]);
      lossSum += await trainer.step(x, labels);
      steps++;
      x.dispose();
      labels.dispose();
    }
    history.push({ epoch, loss: lossSum / steps, seconds: (Date.now() - started) / 1000 });
    process.stderr.write(
      `epoch ${epoch}/${args.epochs} loss ${(lossSum / steps).toFixed(4)} (${formatSeconds((Date.now() - started) / 1000)})\n`,
    );
  }

  const scorePairs = (folds: number[]) => {
    const pairs = splits.pairs.filter((p) => folds.includes(p.fold));
    const files = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
    const e = tailEmbeddings(embedder, params, acts, files, args.flip, cut);
    return pairs.map((p): ScoredPair => {
      const a = e.get(p.a);
      const b = e.get(p.b);
      return { score: a && b ? dot(a, b) : -1, same: p.same, fold: p.fold };
    });
  };
  const testScores = scorePairs(args.testFolds);
  const test = foldAccuracy(testScores, args.testFolds);
  const testTar = tarAtFar(testScores, 1e-3).tar;
  const val = args.valFolds.length ? foldAccuracy(scorePairs(args.valFolds), args.valFolds) : null;

  // Thresholds from every impostor pair among the calibration people (never the test folds).
  const calibFiles = records.filter((r) => splits.calibPeople.has(r.person));
  const ce = tailEmbeddings(
    embedder,
    params,
    acts,
    calibFiles.map((r) => r.file),
    args.flip,
    cut,
  );
  const impostor: number[] = [];
  const genuine: number[] = [];
  for (let i = 0; i < calibFiles.length; i++) {
    for (let j = i + 1; j < calibFiles.length; j++) {
      const a = calibFiles[i];
      const b = calibFiles[j];
      const ea = a && ce.get(a.file);
      const eb = b && ce.get(b.file);
      if (!a || !b || !ea || !eb) continue;
      (a.person === b.person ? genuine : impostor).push(dot(ea, eb));
    }
  }
  const thresholds = Object.fromEntries(
    [1e-3, 1e-4, 1e-5].map((far) => {
      const t = thresholdAtFar(impostor, far);
      const tar = genuine.filter((g) => g >= t.threshold).length / Math.max(genuine.length, 1);
      return [far.toExponential().replace('e', 'e'), { ...t, tar_on_calibration_genuine: tar }];
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  const result = {
    cut,
    label:
      args.label ||
      `${args.method} s=${args.s} m=${args.m}${args.featureNorm ? '' : ' no-norm'} ${args.init}`,
    method: args.method,
    s: args.s,
    m: args.m,
    feature_norm: args.featureNorm,
    init: args.init,
    epochs: args.epochs,
    lr: args.lr,
    batch: args.batch,
    anchor: args.anchor,
    flip: args.flip,
    classes: classes.length,
    train_images: n,
    s_lower_bound_pw_0_9: cosfaceScaleLowerBound(classes.length, 0.9),
    final_loss: history.at(-1)?.loss ?? null,
    converged:
      Number.isFinite(history.at(-1)?.loss ?? NaN) &&
      (history.at(-1)?.loss ?? Infinity) < (history[0]?.loss ?? 0),
    history,
    test_folds: args.testFolds,
    test_accuracy: test.accuracy,
    test_accuracy_std: test.std,
    'test_tar_at_far_1e-3': testTar,
    test_roc: rocCurve(testScores),
    val_folds: args.valFolds,
    val_accuracy: val?.accuracy ?? null,
    calib_folds: args.calibFolds,
    calib_impostor_pairs: impostor.length,
    calib_genuine_pairs: genuine.length,
    thresholds,
    seconds,
  };
  console.log(JSON.stringify({ ...result, test_roc: undefined, history: undefined }, null, 2));
  if (args.json) {
    mkdirSync(dirname(resolve(args.json)), { recursive: true });
    writeFileSync(args.json, `${JSON.stringify(result)}\n`);
  }
  if (args.out) {
    const weights = [...params.entries()].map(([name, t]) => ({
      name,
      shape: t.shape,
      values: t.dataSync() as Float32Array,
    }));
    const t3 = thresholds['1e-3'];
    const t4 = thresholds['1e-4'];
    const t5 = thresholds['1e-5'];
    const manifest = writeModel(args.out, embedder.spec, weights, args.dtype, {
      id: `facegate-mbf-${args.method}-s${args.s}-m${args.m}-${new Date().toISOString().slice(0, 10)}`,
      input: { ...baseManifest.input, alignment: ALIGNMENT_DESCRIPTION },
      embedding: { dim, normalized: true, flipAugment: args.flip },
      loss: {
        type: args.method === 'cosface' ? 'LMCL (CosFace)' : args.method,
        s: args.s,
        m: args.m,
        note: `last stage: the layers after tensor ${cut} (${cut === TAIL_CUT ? 'global depthwise conv + ' : ''}linear embedding layer) trained with this loss on frozen-trunk activations`,
      },
      training: {
        data: `LFW (deep-funneled)${extra ? ` + ${extra.classes.length} celeba-dev people of its pairs folds ${args.extraTrainFolds.join(',')} (${extra.records.length} images; its other folds' people never trained on)` : ''}, ${classes.length} identities with >= ${args.minImages} images, ${n} images; LFW people of View-2 folds ${[...args.testFolds, ...args.calibFolds, ...args.valFolds].join(',')} excluded`,
        epochs: args.epochs,
        lr: args.lr,
        batch: args.batch,
        augmentation: args.flip ? 'horizontal flip' : 'none',
        seconds: Math.round(seconds),
        where: 'Node.js tfjs 4.22 (wasm trunk, cpu training), 2-core CPU',
        command: `npm run train -- ${process.argv.slice(2).join(' ')}`,
      },
      accuracy: {
        lfw_folds: args.testFolds.join(','),
        accuracy_tail_only_eval: test.accuracy,
        accuracy_std: test.std,
        'tar_at_far_1e-3': testTar,
        note: 'from the training run; the end-to-end figure from npm run eval is in docs/EXPERIMENTS.md',
      },
      thresholds: {
        'far_1e-3': t3?.threshold ?? 1,
        'far_1e-4': t4?.threshold ?? 1,
        'far_1e-5': t5?.threshold ?? 1,
        note: `cosine thresholds from ${impostor.length} impostor pairs of LFW fold ${args.calibFolds.join(',')} people (never trained on, not test folds)${t5?.resolvable ? '' : '; 1e-5 is bounded by the number of impostor pairs'}`,
      },
      source: baseManifest.source,
    } satisfies Omit<ModelManifest, 'files' | 'graph' | 'weights' | 'format'>);
    console.error(
      `wrote ${args.out}: ${manifest.files.map((f) => `${f.path} ${f.bytes} B`).join(', ')}`,
    );
  }
  trainer.dispose();
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  Promise.resolve()
    .then(() => train(trainArgs()))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      process.exit(1);
    });
}
