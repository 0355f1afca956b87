/**
 * 1:N matching time per probe over 1k / 10k / 100k enrolled templates, in Node and in headless
 * Chromium, for every way measured (scripts/lib/bench-match.ts); docs/IDENTIFY.md has the table.
 *
 *   npm run bench:match -- [--sizes 1000,10000,100000] [--runs 15] [--node-only]
 *     [--json docs/bench-match.json]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { build, type Rollup } from 'vite';
import { CHROMIUM, CHROMIUM_ARGS } from './lib/chromium.ts';
import { compileF32Kernel, measureMatchWith } from './lib/bench-match.ts';

const { values } = parseArgs({
  strict: true,
  options: {
    sizes: { type: 'string', default: '1000,10000,100000' },
    runs: { type: 'string', default: '15' },
    'node-only': { type: 'boolean', default: false },
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
          f32Wasm: new Uint8Array(bytes) as Uint8Array<ArrayBuffer>,
        });
      },
      { sizes, runs, bytes: [...f32Wasm] },
    );
  } finally {
    await browser.close();
  }
}

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
    node,
    chromium: browser,
  };
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${out}`);
}
