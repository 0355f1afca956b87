/**
 * Embedding latency of the shipped model (models/) per tfjs backend in headless Chromium, one
 * aligned 112x112 crop per call, after a warm-up call.
 *
 *   npm run bench:embed -- [--runs 30] [--out docs/bench-embed.json]
 *
 * WebGPU here is SwiftShader on the CPU (--enable-unsafe-webgpu); on a real GPU it is another story.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { BatchRunner } from './lib/batch-runner.ts';
import { intFlag, readFlags } from './lib/cli.ts';
import { median } from './lib/dataset.ts';

const flags = readFlags('npm run bench:embed -- [--runs 30] [--out docs/bench-embed.json]', {
  runs: { type: 'string', default: '30' },
  out: { type: 'string', default: 'docs/bench-embed.json' },
});
const runs = intFlag(flags.runs, 'runs');
const out = flags.out;

const results: Record<string, unknown> = {};
for (const backend of ['wasm', 'webgl', 'webgpu', 'cpu'] as const) {
  const runner = await BatchRunner.start(resolve('.'), [
    '--enable-unsafe-webgpu',
    '--enable-features=Vulkan',
  ]);
  try {
    const r = await runner.benchEmbed(backend, backend === 'cpu' ? Math.min(runs, 5) : runs);
    results[backend] = {
      median_ms: Math.round(median(r.ms) * 10) / 10,
      runs: r.ms.length,
      ran_on: r.backend,
    };
  } catch (error) {
    results[backend] = {
      error: error instanceof Error ? error.message.split('\n')[0] : String(error),
    };
  } finally {
    await runner.close();
  }
  console.error(backend, JSON.stringify(results[backend]));
}
const report = {
  what: 'one 112x112 crop through the shipped backbone (flip-augmented if the manifest says so), headless Debian Chromium, 2-core CPU, no GPU',
  results,
};
console.log(JSON.stringify(report, null, 2));
mkdirSync(dirname(resolve(out)), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
