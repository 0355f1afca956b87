/**
 * Builds the background bank that on-device fine-tuning contrasts enrolled people against
 * (src/lib/finetune/bank.ts), from the training side of LFW only, and lists it in the model's
 * manifest (size + sha256, so the app verifies it like the weights):
 *
 *   npm run make-background-bank -- [--crops .cache/lfw-crops] [--pairs ../shared/data/lfw/pairs.txt]
 *     [--model models] [--test-folds 6-10] [--calib-folds 5] [--views 4] [--validation 100]
 *
 * The people of the test and calibration folds are excluded, as in training; the bank therefore
 * never contains anyone eval-finetune enrolls or uses as an outside impostor.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readFlags } from './lib/cli.ts';
import { Embedder } from '../src/lib/embedding/embedder.ts';
import type { BackgroundBankInfo } from '../src/lib/embedding/manifest.ts';
import { augmentCrop, WEBCAM_AUGMENT, type AugmentRanges } from '../src/lib/finetune/augment.ts';
import { encodeBank } from '../src/lib/finetune/bank.ts';
import { parseFolds } from './lib/lfw-pairs.ts';
import { seededRandom } from '../src/lib/math/seeded-random.ts';
import type { CropRecord } from './prepare-dataset.ts';
import { hashString, jpegRoundTrip } from './lib/degrade.ts';
import { cachedEmbeddings } from './lib/embedding-cache.ts';
import { loadCrop } from './lib/embed-crops.ts';
import { fileFetcher, readManifest, sha256 } from './lib/model-files.ts';
import { makeSplits } from './lib/splits.ts';
import { initTf } from './lib/tf-node.ts';
import { readAlignedCrops } from './lib/crop-folder.ts';

const values = readFlags(
  'npm run make-background-bank -- [--crops .cache/lfw-crops] [--pairs pairs.txt] ' +
    '[--model models] [--test-folds 6-10] [--calib-folds 5] [--views 4] [--validation 100] [--seed 11]',
  {
    crops: { type: 'string', default: '.cache/lfw-crops' },
    pairs: { type: 'string', default: '../shared/data/lfw/pairs.txt' },
    model: { type: 'string', default: 'models' },
    'test-folds': { type: 'string', default: '6-10' },
    'calib-folds': { type: 'string', default: '5' },
    views: { type: 'string', default: '4' },
    validation: { type: 'string', default: '100' },
    seed: { type: 'string', default: '11' },
  },
);

const FILE = 'background-bank.bin';

/** A poor webcam: the face 48-72 px wide, dark, soft. */
const POOR_WEBCAM: AugmentRanges = {
  rotateDeg: 8,
  shiftPx: 4,
  logScale: 0.06,
  gain: [0.7, 1.0],
  gamma: [1.2, 2.0],
  blurP: 1,
  lowResP: 1,
  lowResPx: [48, 72],
};

async function main() {
  await initTf('wasm');
  const modelDir = resolve(values.model);
  const manifest = readManifest(modelDir);
  const embedder = await Embedder.load(manifest, fileFetcher(modelDir));
  const dim = embedder.dim;
  const records = readAlignedCrops(values.crops);
  const splits = makeSplits(values.pairs, records, {
    test: parseFolds(values['test-folds']),
    calib: parseFolds(values['calib-folds']),
    val: [],
  });
  const rng = seededRandom(Number(values.seed));
  const shuffled = [...splits.classes]
    .map((c) => ({ c, r: rng() }))
    .sort((a, b) => a.r - b.r)
    .map((x) => x.c);
  const validationCount = Number(values.validation);
  // Training classes first, validation strangers last (bank.ts).
  const classes = [
    ...shuffled.slice(validationCount).sort(),
    ...shuffled.slice(0, validationCount).sort(),
  ];
  const byPerson = new Map<string, CropRecord[]>();
  for (const r of splits.train) byPerson.set(r.person, [...(byPerson.get(r.person) ?? []), r]);
  const byFile = new Map(records.map((r) => [r.file, r]));

  const clean = await cachedEmbeddings(
    embedder,
    `.cache/finetune/${manifest.id}-clean`,
    splits.train.map((r) => r.file),
    (file) => loadCrop(values.crops, byFile.get(file) as CropRecord),
    'clean crops',
  );
  const views = Number(values.views);
  const augKeys: { key: string; label: number }[] = [];
  classes.forEach((person, label) => {
    const list = byPerson.get(person) ?? [];
    for (let v = 0; v < views; v++) {
      const rec = list[v % list.length] as CropRecord;
      augKeys.push({ key: `${rec.file}#${v % 2 ? 'poor' : 'webcam'}-jpeg${v}`, label });
    }
  });
  const augmented = await cachedEmbeddings(
    embedder,
    `.cache/finetune/${manifest.id}-bank-views`,
    augKeys.map((a) => a.key),
    (key) => {
      // Strangers in the bank must look like strangers in front of a webcam: half the views get
      // the app's webcam augmentation, half a poor webcam's (small, dark, soft face), then a JPEG
      // round trip (webcams stream MJPEG).
      const file = key.slice(0, key.indexOf('#'));
      const rng = seededRandom(hashString(key));
      const poor = key.includes('#poor');
      const crop = loadCrop(values.crops, byFile.get(file) as CropRecord);
      const view = augmentCrop(crop, rng, poor ? POOR_WEBCAM : WEBCAM_AUGMENT);
      return jpegRoundTrip(view, Math.round(poor ? 20 + 30 * rng() : 25 + 45 * rng()));
    },
    'augmented views',
  );

  const centres = new Float32Array(classes.length * dim);
  classes.forEach((person, k) => {
    const c = centres.subarray(k * dim, (k + 1) * dim);
    for (const r of byPerson.get(person) ?? []) {
      const e = clean.get(r.file);
      if (e) for (let j = 0; j < dim; j++) c[j] = (c[j] ?? 0) + (e[j] ?? 0);
    }
  });
  const samples = new Float32Array(augKeys.length * dim);
  augKeys.forEach((a, i) => samples.set(augmented.get(a.key) ?? new Float32Array(dim), i * dim));
  const labels = Uint16Array.from(augKeys.map((a) => a.label));
  const bytes = encodeBank({
    dim,
    classes: classes.length,
    centres,
    samples,
    labels,
    validationClasses: validationCount,
  });
  writeFileSync(join(modelDir, FILE), bytes);
  const info: BackgroundBankInfo = {
    file: FILE,
    dim,
    classes: classes.length,
    samples: augKeys.length,
    validationClasses: validationCount,
    note: `LFW training-side people only (folds ${values['test-folds']} and ${values['calib-folds']} excluded): class centres of clean crops, ${views} views each (half webcam augmentation + JPEG 25-70, half a poor webcam: face 48-72 px, gamma 1.2-2.0, blur, JPEG 20-50); the last ${validationCount} people are validation strangers. npm run make-background-bank`,
  };
  const entry = { path: FILE, bytes: bytes.length, sha256: sha256(bytes) };
  const updated = {
    ...manifest,
    background: info,
    files: [...manifest.files.filter((f) => f.path !== FILE), entry],
  };
  writeFileSync(join(modelDir, 'manifest.json'), `${JSON.stringify(updated, null, 2)}\n`);
  console.log(
    `${FILE}: ${classes.length} people (${validationCount} validation), ${augKeys.length} views, ${(bytes.length / 1e6).toFixed(2)} MB`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
