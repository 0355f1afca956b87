/**
 * What one passphrase guess costs: the time of one key derivation, Argon2id (the shipped parameters,
 * plus any others asked for) and the old PBKDF2-SHA256 at 600,000 rounds, in Node and in headless
 * Chromium, one derivation at a time (one core). Guesses per second per core is 1000 / median ms
 * (and 1000 / fastest run, for a core with nothing else on it): an attacker with the profile or an
 * export file runs the same derivation per guess. docs/SECURITY.md quotes docs/bench-kdf.json.
 *
 *   npm run bench:kdf -- [--runs 7] [--argon2 65536x3,47104x2] [--json docs/bench-kdf.json]
 *
 * --argon2 adds candidates as memoryKiB x passes (p = 1), to size the parameters on a machine.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from './lib/chromium.ts';
import {
  ARGON2ID,
  argon2idBits,
  PBKDF2_ITERATIONS,
  type Argon2idParams,
  type KdfParams,
} from '../src/lib/crypto/kdf.ts';

const { values } = parseArgs({
  strict: true,
  options: {
    runs: { type: 'string', default: '7' },
    argon2: { type: 'string', default: '' },
    json: { type: 'string' },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a positive integer');

const candidates: KdfParams[] = [
  ARGON2ID,
  ...values.argon2
    .split(',')
    .filter(Boolean)
    .map((c): Argon2idParams => {
      const [m, t] = c.split('x').map(Number);
      if (!Number.isInteger(m) || !Number.isInteger(t)) throw new Error(`--argon2: bad "${c}"`);
      return { name: 'Argon2id', memoryKiB: m!, iterations: t!, parallelism: 1 };
    }),
  { name: 'PBKDF2-SHA256', iterations: PBKDF2_ITERATIONS },
];

const PASSPHRASE = 'a passphrase of average length';

interface Row {
  kdf: KdfParams;
  runsMs: number[];
  medianMs: number;
  /** The fastest run: the closest to a core with nothing else on it (an attacker's). */
  minMs: number;
  guessesPerSecondPerCore: number;
  /** 1000 / minMs. */
  guessesPerSecondPerCoreBest: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function row(kdf: KdfParams, runsMs: number[]): Row {
  const medianMs = median(runsMs);
  const minMs = Math.min(...runsMs);
  return {
    kdf,
    runsMs: runsMs.map((ms) => Math.round(ms)),
    medianMs: Math.round(medianMs),
    minMs: Math.round(minMs),
    guessesPerSecondPerCore: Number((1000 / medianMs).toFixed(2)),
    guessesPerSecondPerCoreBest: Number((1000 / minMs).toFixed(2)),
  };
}

async function pbkdf2Node(iterations: number, salt: Uint8Array<ArrayBuffer>): Promise<void> {
  const material = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(PASSPHRASE),
    'PBKDF2',
    false,
    ['deriveBits'],
  );
  await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    material,
    256,
  );
}

async function inNode(): Promise<Row[]> {
  const out: Row[] = [];
  for (const kdf of candidates) {
    const times: number[] = [];
    // One warm-up run: wasm compilation and the first allocation are not a guess's cost.
    for (let i = -1; i < runs; i++) {
      const salt = crypto.getRandomValues(new Uint8Array(16));
      const start = performance.now();
      if (kdf.name === 'Argon2id') await argon2idBits(PASSPHRASE, salt, kdf);
      else await pbkdf2Node(kdf.iterations, salt);
      if (i >= 0) times.push(performance.now() - start);
    }
    out.push(row(kdf, times));
  }
  return out;
}

/** The same derivations in Chromium: hash-wasm's UMD build on a page, WebCrypto for PBKDF2. */
async function inChromium(): Promise<{ version: string; rows: Row[] }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    // An https origin makes a secure context (crypto.subtle); nothing leaves the machine.
    await page.route('https://bench.invalid/', (r) =>
      r.fulfill({ body: '<!doctype html><title>kdf</title>', contentType: 'text/html' }),
    );
    await page.goto('https://bench.invalid/');
    await page.addScriptTag({
      path: resolve('node_modules/hash-wasm/dist/argon2.umd.min.js'),
    });
    const rows: Row[] = [];
    for (const kdf of candidates) {
      const times = await page.evaluate(
        async ({ kdf, runs, passphrase }) => {
          const hw = (globalThis as unknown as { hashwasm: typeof import('hash-wasm') }).hashwasm;
          const ms: number[] = [];
          for (let i = -1; i < runs; i++) {
            const salt = crypto.getRandomValues(new Uint8Array(16));
            const start = performance.now();
            if (kdf.name === 'Argon2id') {
              await hw.argon2id({
                password: passphrase,
                salt,
                memorySize: kdf.memoryKiB,
                iterations: kdf.iterations,
                parallelism: kdf.parallelism,
                hashLength: 32,
                outputType: 'binary',
              });
            } else {
              const material = await crypto.subtle.importKey(
                'raw',
                new TextEncoder().encode(passphrase),
                'PBKDF2',
                false,
                ['deriveBits'],
              );
              await crypto.subtle.deriveBits(
                { name: 'PBKDF2', hash: 'SHA-256', salt, iterations: kdf.iterations },
                material,
                256,
              );
            }
            if (i >= 0) ms.push(performance.now() - start);
          }
          return ms;
        },
        { kdf, runs, passphrase: PASSPHRASE },
      );
      rows.push(row(kdf, times));
    }
    return { version: browser.version(), rows };
  } finally {
    await browser.close();
  }
}

const node = await inNode();
const browser = await inChromium();
const report = {
  measuredAt: new Date().toISOString(),
  machine: {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    // Other work on the machine slows every row alike; a high load makes the numbers pessimistic.
    loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
  },
  runs,
  node: { version: process.version, rows: node },
  chromium: browser,
};
const text = JSON.stringify(report, null, 2);
console.log(text);
if (values.json) writeFileSync(values.json, text + '\n');
