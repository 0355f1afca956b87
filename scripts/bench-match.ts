/**
 * 1:N matching time per probe over 1k / 10k / 100k enrolled templates, in Node and in headless
 * Chromium, for every way measured (scripts/lib/bench-match.ts); docs/IDENTIFY.md has the table.
 *
 *   npm run bench:match -- [--sizes 1000,10000,100000] [--runs 15] [--node-only]
 *     [--real .cache/crops/lfw-<tag> [--real-images 3000] [--model models]]
 *     [--json docs/bench-match.json]
 *
 * --real: also checks the packed matrix against identify() on the model's embeddings of a crop
 * cache made by `npm run eval` (people with two or more crops enrolled with all but their last
 * crop, that one a genuine probe; people with one crop are strangers), at the security levels'
 * identify thresholds. Embeddings are cached under .cache/bench-match/.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { build, type Rollup } from 'vite';
import { CHROMIUM, CHROMIUM_ARGS } from './lib/chromium.ts';
import { Embedder } from '../src/lib/embedding/embedder.ts';
import { template, type Enrolled } from '../src/lib/math/match.ts';
import type { CropRecord } from './prepare-dataset.ts';
import {
  checkRealEmbeddings,
  compileF32Kernel,
  measureMatchWith,
  type RealCheck,
} from './lib/bench-match.ts';
import { loadCrop } from './lib/embed-crops.ts';
import { cachedEmbeddings } from './lib/embedding-cache.ts';
import { fileFetcher, readManifest } from './lib/model-files.ts';
import { initTf } from './lib/tf-node.ts';

const { values } = parseArgs({
  strict: true,
  options: {
    sizes: { type: 'string', default: '1000,10000,100000' },
    runs: { type: 'string', default: '15' },
    'node-only': { type: 'boolean', default: false },
    real: { type: 'string' },
    'real-images': { type: 'string', default: '3000' },
    model: { type: 'string', default: 'models' },
    json: { type: 'string' },
  },
});
const sizes = values.sizes.split(',').map(Number);
const runs = Number(values.runs);
if (sizes.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(runs) || runs < 1) {
  throw new Error('--sizes takes positive integers separated by commas, --runs a positive integer');
}

/** scripts/lib/bench-match.ts bundled for a page: window.benchMatch.measureMatchWith. */
async function browserBundle(): Promise<string> {
  const output = (await build({
    configFile: false,
    logLevel: 'silent',
    build: {
      write: false,
      minify: false,
      lib: {
        entry: resolve('scripts/lib/bench-match.ts'),
        name: 'benchMatch',
        formats: ['iife'],
      },
      rollupOptions: { external: ['wabt'] },
    },
  })) as Rollup.RollupOutput[] | Rollup.RollupOutput;
  const chunk = (Array.isArray(output) ? output : [output])
    .flatMap((o) => o.output)
    .find((c): c is Rollup.OutputChunk => c.type === 'chunk');
  if (!chunk) throw new Error('no bundle came out of vite');
  return chunk.code;
}

async function inChromium(f32Wasm: Uint8Array): Promise<Record<string, number>> {
  const code = await browserBundle();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.addScriptTag({ content: code });
    return await page.evaluate(
      async ({ sizes, runs, bytes }) => {
        const bench = (window as unknown as { benchMatch: typeof import('./lib/bench-match.ts') })
          .benchMatch;
        return bench.measureMatchWith(sizes, {
          runs,
          f32Wasm: new Uint8Array(bytes),
        });
      },
      { sizes, runs, bytes: [...f32Wasm] },
    );
  } finally {
    await browser.close();
  }
}

/** Enrolled people and probes from the first `limit` crops of a crop cache, embedded. */
async function realCheck(cache: string, limit: number, model: string): Promise<RealCheck> {
  const records = (JSON.parse(readFileSync(join(cache, 'index.json'), 'utf8')) as CropRecord[])
    .filter((r) => r.crop)
    .slice(0, limit);
  await initTf('wasm');
  const manifest = readManifest(model);
  const embedder = await Embedder.load(manifest, fileFetcher(model));
  const embeddings = await cachedEmbeddings(
    embedder,
    resolve('.cache/bench-match', `${manifest.id}-${basename(resolve(cache))}`),
    records.map((r) => r.file),
    (file) => loadCrop(cache, records.find((r) => r.file === file) as CropRecord),
    'embedding',
  );
  const byPerson = new Map<string, Float32Array[]>();
  for (const r of records) {
    const e = embeddings.get(r.file);
    if (e) byPerson.set(r.person, [...(byPerson.get(r.person) ?? []), e]);
  }
  const people: Enrolled[] = [];
  const probes: Float32Array[] = [];
  for (const [person, list] of byPerson) {
    if (list.length >= 2) {
      people.push({ id: person, name: person, template: template(list.slice(0, -1)) });
      probes.push(list[list.length - 1] as Float32Array);
    } else probes.push(list[0] as Float32Array);
  }
  return checkRealEmbeddings(people, probes, manifest.thresholds);
}

const real = values.real
  ? await realCheck(resolve(values.real), Number(values['real-images']), values.model)
  : null;
if (real) console.log(JSON.stringify(real, null, 2));

const f32Wasm = await compileF32Kernel();
console.log(`node: ${sizes.join(', ')} templates, ${runs} probes each`);
const node = await measureMatchWith(sizes, { runs, f32Wasm });
console.table(node);
let browser: Record<string, number> | null = null;
if (!values['node-only']) {
  console.log('chromium');
  browser = await inChromium(f32Wasm);
  console.table(browser);
}

if (values.json) {
  const out = resolve(values.json);
  mkdirSync(dirname(out), { recursive: true });
  const report = {
    what: 'median ms per probe of 1:N matching over <size> random 512-d unit templates (keys <variant>@<size>; rescored-* is a row count, pack-* the one-off build of the matrix). loop = identify(), the per-person loop; js-f32*, wasm-f32-simd = the dot products alone over a float32 matrix; js-i8, wasm-i8-simd = TemplateMatrix.identify() end to end (int8 kernel pass, error bounds, exact rescoring). Half the probes genuine (cosine ~0.6 to a template), half strangers.',
    command: `npm run bench:match -- --sizes ${sizes.join(',')} --runs ${runs}${values['node-only'] ? ' --node-only' : ''} --json ${values.json}`,
    machine: `${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}; Node ${process.version}; ${CHROMIUM}`,
    load_average_1min: loadavg()[0],
    node,
    chromium: browser,
    real_embeddings: real && { crops: values.real, ...real },
  };
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${out}`);
}
