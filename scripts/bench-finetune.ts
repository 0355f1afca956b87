/**
 * How long fine-tuning one person with 30 samples takes, with the app's own fine-tuning code:
 *
 *   npm run bench:finetune -- [--backend wasm|cpu] [--runs 3] [--samples 30] [--json docs/bench-finetune.json]
 *
 * The person is one of the LFW test folds' people with enough images (never in the bank); the
 * samples' embeddings are made first (the app has them stored), then finetune() is timed end to
 * end: augmented views through the backbone, training, the validation check.
 */
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readFlags } from './lib/cli.ts';
import { Embedder } from '../src/lib/embedding/embedder.ts';
import { decodeBank } from '../src/lib/finetune/bank.ts';
import { DEFAULT_FINETUNE, finetune } from '../src/lib/finetune/finetune.ts';
import { parseFolds, parsePairs, peopleInFolds } from './lib/lfw-pairs.ts';
import type { CropRecord } from './prepare-dataset.ts';
import { loadCrop } from './lib/embed-crops.ts';
import { median } from './lib/dataset.ts';
import { fileFetcher, readManifest } from './lib/model-files.ts';
import { initTf } from './lib/tf-node.ts';

const values = readFlags(
  'npm run bench:finetune -- [--backend wasm|cpu] [--runs 3] [--samples 30] [--json FILE] ' +
    '[--crops .cache/lfw-crops] [--pairs pairs.txt] [--model models]',
  {
    crops: { type: 'string', default: '.cache/lfw-crops' },
    pairs: { type: 'string', default: '../shared/data/lfw/pairs.txt' },
    model: { type: 'string', default: 'models' },
    backend: { type: 'string', default: 'wasm' },
    runs: { type: 'string', default: '3' },
    samples: { type: 'string', default: '30' },
    json: { type: 'string' },
  },
);

async function main() {
  const backend = values.backend === 'cpu' ? 'cpu' : 'wasm';
  await initTf(backend);
  const modelDir = resolve(values.model);
  const manifest = readManifest(modelDir);
  if (!manifest.background) throw new Error('the model has no background bank');
  const embedder = await Embedder.load(manifest, fileFetcher(modelDir));
  const raw = readFileSync(join(modelDir, manifest.background.file));
  const bank = decodeBank(
    manifest.background,
    raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength),
  );
  const count = Number(values.samples);
  const test = peopleInFolds(parsePairs(readFileSync(values.pairs, 'utf8')), parseFolds('6-10'));
  const records = (
    JSON.parse(readFileSync(join(values.crops, 'index.json'), 'utf8')) as CropRecord[]
  ).filter((r) => r.crop && test.has(r.person));
  const byPerson = new Map<string, CropRecord[]>();
  for (const r of records) byPerson.set(r.person, [...(byPerson.get(r.person) ?? []), r]);
  const [person, list] = [...byPerson].filter(([, l]) => l.length >= count).sort()[0] ?? [];
  if (!person || !list) throw new Error(`no test-fold person has ${count} images`);
  const crops = list.slice(0, count).map((r) => loadCrop(values.crops, r));
  const embeddings = await embedder.embed(crops);
  const people = [
    {
      id: person,
      samples: crops.map((crop, i) => ({ crop, embedding: embeddings[i] as Float32Array })),
    },
  ];
  const runs: { total: number; views: number; train: number; check: number; accepted: boolean }[] =
    [];
  for (let r = 0; r < Number(values.runs); r++) {
    const result = await finetune({
      people,
      bank,
      threshold: manifest.thresholds['far_1e-4'],
      embed: (c) => embedder.embed(c),
      config: { seed: r + 1 },
    });
    runs.push({
      total: result.ms.total / 1000,
      views: result.ms.views / 1000,
      train: result.ms.train / 1000,
      check: result.ms.check / 1000,
      accepted: result.guard.accepted,
    });
    console.log(
      `run ${r + 1}: ${(result.ms.total / 1000).toFixed(1)} s (views ${(result.ms.views / 1000).toFixed(1)} s for ${result.views}, train ${(result.ms.train / 1000).toFixed(1)} s for ${result.losses.length} steps, check ${(result.ms.check / 1000).toFixed(2)} s)`,
    );
  }
  const out = {
    command: `npm run bench:finetune -- ${process.argv.slice(2).join(' ')}`.trim(),
    backend,
    person,
    samples: count,
    config: DEFAULT_FINETUNE,
    median_seconds: median(runs.map((r) => r.total)),
    runs,
    machine: '2-core CPU, no GPU, Node tfjs 4.22',
  };
  console.log(`median ${out.median_seconds.toFixed(1)} s on ${backend}`);
  if (values.json) {
    mkdirSync(dirname(values.json), { recursive: true });
    writeFileSync(values.json, `${JSON.stringify(out, null, 2)}\n`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
