/**
 * Passphrase key derivation: Argon2id (RFC 9106) for everything new, PBKDF2-SHA256 only to read
 * what older versions wrote. The parameters travel with each record and file (KdfParams), so a
 * later version can raise them; parseKdf() bounds what a crafted record or file may ask for, so
 * opening one can neither hang the tab nor exhaust a phone's memory. docs/SECURITY.md gives the
 * measured cost to an attacker (scripts/bench-kdf.ts).
 */

import { argon2id } from 'hash-wasm';

export interface Argon2idParams {
  name: 'Argon2id';
  /** m: memory in KiB (1024 = 1 MiB). */
  memoryKiB: number;
  /** t: passes over the memory. */
  iterations: number;
  /** p: lanes. hash-wasm computes them one after another, so p > 1 only changes the result. */
  parallelism: number;
}

export interface Pbkdf2Params {
  name: 'PBKDF2-SHA256';
  iterations: number;
}

export type KdfParams = Argon2idParams | Pbkdf2Params;

/**
 * What new keys use: ~0.5 s per derivation in Chromium on the reference machine (docs/kdf-bench.json).
 * 64 MiB is what a phone browser can still allocate in one go; time is bought with passes, not memory.
 */
export const ARGON2ID: Argon2idParams = {
  name: 'Argon2id',
  memoryKiB: 64 * 1024,
  iterations: 3,
  parallelism: 1,
};

/** The old key: OWASP's 2023 floor for PBKDF2-HMAC-SHA256. Read only; never written again. */
export const PBKDF2_ITERATIONS = 600_000;

/**
 * Accepted ranges. The floors refuse a record that would make guessing cheap; the ceilings keep a
 * crafted file to a few seconds and 256 MiB. Memory x passes is capped on its own: 256 MiB x 16
 * passes would be ~20x the default's work.
 */
export const BOUNDS = {
  pbkdf2Iterations: [100_000, 10_000_000],
  memoryKiB: [8 * 1024, 256 * 1024],
  iterations: [1, 16],
  parallelism: [1, 4],
  /** memoryKiB x iterations: 1 GiB-pass, ~5x the default. */
  work: 1024 * 1024,
  saltBytes: [16, 64],
} as const;

const inRange = (v: unknown, [lo, hi]: readonly [number, number]): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

/** The parameters in `value` if they are ones this version can and will run, else null. */
export function parseKdf(value: unknown): KdfParams | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (v.name === 'PBKDF2-SHA256') {
    const { iterations } = v;
    return inRange(iterations, BOUNDS.pbkdf2Iterations)
      ? { name: 'PBKDF2-SHA256', iterations }
      : null;
  }
  if (v.name !== 'Argon2id') return null;
  const { memoryKiB, iterations, parallelism } = v;
  if (
    !inRange(memoryKiB, BOUNDS.memoryKiB) ||
    !inRange(iterations, BOUNDS.iterations) ||
    !inRange(parallelism, BOUNDS.parallelism) ||
    memoryKiB * iterations > BOUNDS.work ||
    // Argon2 needs at least 8p KiB; the floor above already gives far more.
    memoryKiB < 8 * parallelism
  ) {
    return null;
  }
  return { name: 'Argon2id', memoryKiB, iterations, parallelism };
}

export function saltOk(salt: unknown): salt is Uint8Array {
  return (
    salt instanceof Uint8Array &&
    salt.length >= BOUNDS.saltBytes[0] &&
    salt.length <= BOUNDS.saltBytes[1]
  );
}

export function sameKdf(a: KdfParams, b: KdfParams): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * 32 bytes of Argon2id output, computed here (in Node and inside the KDF worker). hash-wasm
 * compiles its wasm from bytes embedded in the bundle: the CSP's 'wasm-unsafe-eval' allows it.
 */
export function argon2idBits(
  passphrase: string,
  salt: Uint8Array,
  params: Argon2idParams,
): Promise<Uint8Array> {
  return argon2id({
    password: passphrase,
    salt,
    memorySize: params.memoryKiB,
    iterations: params.iterations,
    parallelism: params.parallelism,
    hashLength: 32,
    outputType: 'binary',
  });
}
