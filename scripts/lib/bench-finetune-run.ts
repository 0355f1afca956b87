/**
 * Fine-tune seconds for one person, by running scripts/bench-finetune.ts (the app's fine-tuning
 * code in Node, wasm backend) as a child process once, so its tfjs never shares this process.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FinetuneRun {
  seconds: number | null;
  backend: string;
  error?: string;
}

export function runFinetune(crops: string): FinetuneRun {
  const backend = 'wasm';
  if (!existsSync(join(crops, 'index.json'))) {
    return {
      seconds: null,
      backend,
      error: `no ${join(crops, 'index.json')}: make the LFW crops (npm run prepare-dataset -- --data ../shared/data/lfw --out ${crops}) or pass --finetune-crops`,
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'facegate-bench-finetune-'));
  const json = join(dir, 'finetune.json');
  try {
    const args = [
      'tsx',
      '--import',
      './scripts/lib/esm-extensionless.mjs',
      'scripts/bench-finetune.ts',
    ];
    const run = spawnSync(
      'npx',
      [...args, '--backend', backend, '--runs', '1', '--crops', crops, '--json', json],
      { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8', timeout: 600_000 },
    );
    if (run.status !== 0 || !existsSync(json)) {
      const last = (run.stderr ?? '').trim().split('\n').slice(-3).join(' ');
      return { seconds: null, backend, error: `bench-finetune failed (${run.status}): ${last}` };
    }
    const out = JSON.parse(readFileSync(json, 'utf8')) as { median_seconds: number };
    return { seconds: Math.round(out.median_seconds * 10) / 10, backend };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
