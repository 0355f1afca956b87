/**
 * Makes the margin lab's default data (public/lab/lfw8.json): backbone embeddings of 8 LFW people
 * from the model's TRAINING side, aligned and embedded exactly as `npm run eval` does.
 *
 *   npm run make-lab-data -- [--lfw ../shared/data/lfw] [--out public/lab/lfw8.json] [--per-person 12]
 *
 * People: those who never appear in View-2 folds 5-10 of pairs.txt (the folds the model was not
 * trained on, see models/manifest.json "training"), with at least --per-person images; the ones
 * with the most images first (ties by name). Each person's first --per-person images are aligned
 * in Chromium with the app's front end (crops cached under .cache/lab/), then embedded in Node by
 * the model in models/. A person with fewer than 8 aligned faces is passed over for the next.
 * The file holds embeddings only (int8 with a scale per row), never images.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readFlags } from './lib/cli.ts';
import { format, resolveConfig } from 'prettier';
import { Embedder } from '../src/lib/embedding/embedder.ts';
import { encodeLabData } from '../src/lib/lab/lab-data.ts';
import { parsePairs, peopleInFolds } from './lib/lfw-pairs.ts';
import { IMAGE_REFINE } from '../src/lib/vision/front-end-version.ts';
import { frontEndTag } from './lib/crop-folder.ts';
import { listLfwLayout } from './lib/dataset.ts';
import { cosine, embedRecords } from './lib/embed-crops.ts';
import { fileFetcher, readManifest } from './lib/model-files.ts';
import { initTf } from './lib/tf-node.ts';
import { datasetArgs, prepareDataset } from './prepare-dataset.ts';

/** The View-2 folds held out of training (test 6-10, calibration 5). */
const HELD_OUT_FOLDS = [5, 6, 7, 8, 9, 10];
const PEOPLE = 8;
const MIN_ROWS = 8;

const argv = process.argv.slice(2);
const values = readFlags(
  'npm run make-lab-data -- [--lfw ../shared/data/lfw] [--out public/lab/lfw8.json] [--per-person 12]',
  {
    lfw: { type: 'string', default: '../shared/data/lfw' },
    out: { type: 'string', default: 'public/lab/lfw8.json' },
    'per-person': { type: 'string', default: '12' },
  },
);

const quote = (a: string) => (/^[\w./=:@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
const COMMAND = ['npx tsx scripts/make-lab-data.ts', ...argv.map(quote)].join(' ');

async function main() {
  const perPerson = Number(values['per-person']);
  if (!Number.isInteger(perPerson) || perPerson < MIN_ROWS) {
    throw new Error(`--per-person must be an integer >= ${MIN_ROWS}`);
  }
  const lfw = resolve(values.lfw);
  const pairs = parsePairs(readFileSync(join(lfw, 'pairs.txt'), 'utf8'));
  const heldOut = peopleInFolds(pairs, HELD_OUT_FOLDS);

  // Images per person, training side only; the most images first, ties by name.
  const byPerson = new Map<string, string[]>();
  for (const { person, file } of listLfwLayout(lfw)) {
    if (heldOut.has(person)) continue;
    byPerson.set(person, [...(byPerson.get(person) ?? []), file]);
  }
  const candidates = [...byPerson.entries()]
    .filter(([, files]) => files.length >= perPerson)
    .sort(([a, fa], [b, fb]) => fb.length - fa.length || (a < b ? -1 : a > b ? 1 : 0));
  console.error(
    `${heldOut.size} people held out (folds ${HELD_OUT_FOLDS.join(',')}); ` +
      `${candidates.length} training-side people with >= ${perPerson} images`,
  );

  await initTf('wasm');
  const manifest = readManifest('models');
  const embedder = await Embedder.load(manifest, fileFetcher('models'));
  if (embedder.dim !== 512) throw new Error(`model ${manifest.id} embeds ${embedder.dim}-d`);
  const cache = resolve('.cache/lab', `crops-${frontEndTag(IMAGE_REFINE)}`);

  const chosen: { person: string; rows: Float32Array[] }[] = [];
  let next = 0;
  while (chosen.length < PEOPLE) {
    const batch = candidates.slice(next, next + PEOPLE - chosen.length);
    next += batch.length;
    if (batch.length === 0) {
      throw new Error(`only ${chosen.length} people with >= ${MIN_ROWS} aligned faces`);
    }
    const wanted = batch.map(([person, files]) => ({ person, files: files.slice(0, perPerson) }));
    const files = wanted.flatMap((w) => w.files);
    const records = await prepareDataset(datasetArgs({ data: lfw, out: cache, files }), false);
    const embeddings = await embedRecords(embedder, cache, records);
    for (const { person, files: theirs } of wanted) {
      const rows = theirs.flatMap((f) => {
        const e = embeddings.get(f);
        return e ? [e] : [];
      });
      if (rows.length < MIN_ROWS) {
        console.error(`${person}: only ${rows.length} of ${theirs.length} faces aligned, skipped`);
        continue;
      }
      chosen.push({ person, rows });
    }
  }
  // In candidate order (most images first), whatever order the batches accepted them in.
  chosen.sort(
    (a, b) =>
      candidates.findIndex(([p]) => p === a.person) - candidates.findIndex(([p]) => p === b.person),
  );

  const labels = chosen.flatMap((c, k) => c.rows.map(() => k));
  const embeddings = new Float32Array(labels.length * embedder.dim);
  chosen
    .flatMap((c) => c.rows)
    .forEach((row, r) => {
      embeddings.set(row, r * embedder.dim);
    });
  const file = encodeLabData({
    names: chosen.map((c) => c.person.replace(/_/g, ' ')),
    labels,
    embeddings,
    dim: embedder.dim,
    source: { modelId: manifest.id, command: COMMAND },
  });
  const out = resolve(values.out);
  mkdirSync(dirname(out), { recursive: true });
  // Formatted as `npm run lint` (prettier --check .) expects, so a rerun commits as it is.
  const text = await format(JSON.stringify(file), {
    ...(await resolveConfig(out)),
    filepath: out,
  });
  writeFileSync(out, text);

  const rows = chosen.flatMap((c, k) => c.rows.map((e) => ({ e, k })));
  let same = 0;
  let nSame = 0;
  let diff = 0;
  let nDiff = 0;
  for (let i = 0; i < rows.length; i++) {
    for (let j = i + 1; j < rows.length; j++) {
      const c = cosine(rows[i]!.e, rows[j]!.e);
      if (rows[i]!.k === rows[j]!.k) {
        same += c;
        nSame++;
      } else {
        diff += c;
        nDiff++;
      }
    }
  }
  for (const c of chosen) console.log(`${c.person}: ${c.rows.length} rows`);
  console.log(
    `${out}: ${text.length} bytes, model ${manifest.id}; mean cosine same-class ` +
      `${(same / nSame).toFixed(3)}, different-class ${(diff / nDiff).toFixed(3)}`,
  );
  console.log(`command: ${COMMAND}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
