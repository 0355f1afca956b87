/**
 * Fine-tune seconds for one person, by running scripts/bench-finetune.ts (the app's fine-tuning
 * code in Node, wasm backend) as a child process once, so its tfjs never shares this process.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFolds, parsePairs, peopleInFolds } from './lfw-pairs.ts';
import { datasetArgs, prepareDataset } from '../prepare-dataset.ts';
import { listLfwLayout } from './dataset.ts';

/** bench-finetune's default: a test-fold person with this many crops. */
const SAMPLES = 30;

/**
 * Without the full LFW crop folder, crops of just the person bench-finetune would choose there
 * (the first test-fold person, by name, with 30 images), made once into `out` by the dataset
 * script (headless Chromium, the app's front end); returns the folder to give bench-finetune.
 */
export async function ensureFinetuneCrops(lfw: string, out: string): Promise<string> {
  if (existsSync(join(out, 'index.json'))) return out;
  const test = peopleInFolds(
    parsePairs(readFileSync(join(lfw, 'pairs.txt'), 'utf8')),
    parseFolds('6-10'),
  );
  const byPerson = new Map<string, string[]>();
  for (const { person, file } of listLfwLayout(lfw)) {
    if (test.has(person)) byPerson.set(person, [...(byPerson.get(person) ?? []), file]);
  }
  const [person, files] = [...byPerson].filter(([, f]) => f.length >= SAMPLES).sort()[0] ?? [];
  if (!person || !files) throw new Error(`no test-fold person has ${SAMPLES} images in ${lfw}`);
  console.log(`fine-tune crops: ${files.length} images of ${person} into ${out}`);
  await prepareDataset(datasetArgs({ data: lfw, out, files }), false);
  return out;
}

export interface FinetuneRun {
  seconds: number | null;
  backend: string;
  error?: string;
}

export function runFinetune(crops: string, pairs: string): FinetuneRun {
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
      [
        ...args,
        '--backend',
        backend,
        '--runs',
        '1',
        '--crops',
        crops,
        '--pairs',
        pairs,
        '--json',
        json,
      ],
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
