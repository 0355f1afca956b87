/**
 * What dropping the mirror-image pass at unlock costs: the same pairs scored three ways, with the
 * enrolled side (a) always embedded as enrollment does it (crop + mirror) and the probe side (b)
 * with or without its mirror; plus both without. The app keeps the flip at enrollment and drops
 * it at unlock only if the middle row costs under 0.05 points (docs/BENCHMARKS.md).
 *
 *   npm run eval-flip -- --data ../shared/data/lfw --pairs ../shared/data/lfw/pairs.txt --folds 6-10 --json docs/eval-flip-lfw.json
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Embedder } from '../src/lib/embedding/embedder.ts';
import { verificationReport, type ScoredPair } from './lib/calibrate.ts';
import { readFlags } from './lib/cli.ts';
import { parseFolds, parsePairs } from './lib/lfw-pairs.ts';
import { IMAGE_REFINE } from '../src/lib/vision/front-end-version.ts';
import { cosine, loadCrop } from './lib/embed-crops.ts';
import { fileFetcher, readManifest } from './lib/model-files.ts';
import { initTf } from './lib/tf-node.ts';
import { defaultCropCache, selectPairs } from './eval.ts';
import { datasetArgs, prepareDataset } from './prepare-dataset.ts';

const values = readFlags(
  'npm run eval-flip -- [--data DIR] [--pairs FILE] [--folds 6-10] [--model DIR] [--json OUT]',
  {
    data: { type: 'string', default: resolve(import.meta.dirname, '../../shared/data/lfw') },
    pairs: { type: 'string' },
    folds: { type: 'string' },
    model: { type: 'string', default: resolve(import.meta.dirname, '../models') },
    json: { type: 'string' },
  },
);
const data = values.data;
const pairsFile = values.pairs ?? resolve(data, 'pairs.txt');
const folds = values.folds ? parseFolds(values.folds) : null;

const pairs = selectPairs(parsePairs(readFileSync(pairsFile, 'utf8')), folds);
const files = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
const cache = defaultCropCache(data, IMAGE_REFINE);
const records = await prepareDataset(
  datasetArgs({ data, out: cache, refine: IMAGE_REFINE, files }),
  false,
);
await initTf('wasm');
const embedder = await Embedder.load(readManifest(values.model), fileFetcher(values.model));

const withFlip = new Map<string, Float32Array>();
const single = new Map<string, Float32Array>();
const withCrop = records.filter((r) => r.crop);
for (let i = 0; i < withCrop.length; i += 16) {
  const chunk = withCrop.slice(i, i + 16);
  const crops = chunk.map((r) => loadCrop(cache, r));
  const [a, b] = [await embedder.embed(crops, true), await embedder.embed(crops, false)];
  chunk.forEach((r, k) => {
    withFlip.set(r.file, a[k] as Float32Array);
    single.set(r.file, b[k] as Float32Array);
  });
  if (i % 320 === 0) console.log(`embedded ${i} / ${withCrop.length}`);
}

const foldList = [...new Set(pairs.map((p) => p.fold))].sort((x, y) => x - y);
function score(enrolled: Map<string, Float32Array>, probe: Map<string, Float32Array>) {
  const scored: ScoredPair[] = pairs.map((p) => {
    const a = enrolled.get(p.a);
    const b = probe.get(p.b);
    return { score: a && b ? cosine(a, b) : -1, same: p.same, fold: p.fold };
  });
  const r = verificationReport(scored, foldList);
  return { accuracy: r.accuracy, accuracy_std: r.accuracyStd, 'tar_at_far_1e-3': r.tarAtFar1e3 };
}
const result = {
  model: embedder.manifest.id,
  data,
  pairs: pairs.length,
  folds: foldList,
  enrolled_flip_probe_flip: score(withFlip, withFlip),
  enrolled_flip_probe_single: score(withFlip, single),
  enrolled_single_probe_single: score(single, single),
};
console.log(JSON.stringify(result, null, 2));
if (values.json) {
  mkdirSync(dirname(resolve(values.json)), { recursive: true });
  writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
}
