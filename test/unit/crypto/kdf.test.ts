import { describe, expect, it } from 'vitest';
import {
  ARGON2ID,
  argon2idBits,
  BOUNDS,
  parseKdf,
  PBKDF2_ITERATIONS,
  saltOk,
  sameKdf,
  type Argon2idParams,
} from '../../../src/lib/crypto/kdf';
import {
  generateDataKey,
  passphraseKek,
  randomBytes,
  unwrapDataKey,
  WrongSecretError,
  wrapDataKey,
} from '../../../src/lib/crypto/seal';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const utf8 = (s: string) => new TextEncoder().encode(s);
/** Small enough to be quick; what is tested is that the parameters are used, not their size. */
const SMALL: Argon2idParams = {
  name: 'Argon2id',
  memoryKiB: 8 * 1024,
  iterations: 1,
  parallelism: 1,
};

describe('Argon2id', () => {
  it('matches the reference implementation (phc-winner-argon2 test.c, v=0x13)', async () => {
    // argon2id, t=2, m=2^16 KiB, p=1, "password", "somesalt", 32 bytes. RFC 9106's own vector
    // needs a secret and associated data, which hash-wasm's API does not take.
    const out = await argon2idBits('password', utf8('somesalt'), {
      name: 'Argon2id',
      memoryKiB: 65_536,
      iterations: 2,
      parallelism: 1,
    });
    expect(hex(out)).toBe('09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7');
  });

  it('encodes the passphrase as UTF-8, like the PBKDF2 path', async () => {
    const salt = randomBytes(16);
    const a = await argon2idBits('ünïcödé 🔑', salt, SMALL);
    // hash-wasm takes bytes as well as strings: both must give the same key.
    const { argon2id } = await import('hash-wasm');
    const b = await argon2id({
      password: utf8('ünïcödé 🔑'),
      salt,
      memorySize: SMALL.memoryKiB,
      iterations: SMALL.iterations,
      parallelism: SMALL.parallelism,
      hashLength: 32,
      outputType: 'binary',
    });
    expect(hex(a)).toBe(hex(b));
  });

  it('the passphrase KEK is the Argon2id output used as an AES-KW key', async () => {
    const salt = randomBytes(16);
    const dataKey = await generateDataKey();
    const wrapped = await wrapDataKey(
      await passphraseKek('right passphrase', salt, SMALL),
      dataKey,
    );
    const raw = await argon2idBits('right passphrase', salt, SMALL);
    const same = await crypto.subtle.importKey('raw', raw.slice().buffer, 'AES-KW', false, [
      'unwrapKey',
    ]);
    await expect(unwrapDataKey(same, wrapped)).resolves.toBeTruthy();
    // Every parameter is part of the key.
    for (const other of [
      { ...SMALL, iterations: 2 },
      { ...SMALL, memoryKiB: SMALL.memoryKiB + 1024 },
      { ...SMALL, parallelism: 2 },
    ]) {
      await expect(
        unwrapDataKey(await passphraseKek('right passphrase', salt, other), wrapped),
      ).rejects.toThrow(WrongSecretError);
    }
    await expect(
      unwrapDataKey(await passphraseKek('wrong passphrase', salt, SMALL), wrapped),
    ).rejects.toThrow(WrongSecretError);
  });
});

describe('parseKdf: the parameters a record or file may ask for', () => {
  it('accepts the shipped parameters and the old PBKDF2 ones, as clean copies', () => {
    expect(parseKdf(ARGON2ID)).toEqual(ARGON2ID);
    expect(ARGON2ID).toEqual({
      name: 'Argon2id',
      memoryKiB: 65_536,
      iterations: 3,
      parallelism: 1,
    });
    expect(parseKdf({ name: 'PBKDF2-SHA256', iterations: PBKDF2_ITERATIONS })).toEqual({
      name: 'PBKDF2-SHA256',
      iterations: 600_000,
    });
    // Extra fields (the file's salt) are not carried along.
    expect(parseKdf({ ...ARGON2ID, salt: 'abc', extra: 1 })).toEqual(ARGON2ID);
    expect(parseKdf(SMALL)).toEqual(SMALL);
  });

  it('refuses unknown names, absurd or malformed values, and too much work', () => {
    const refused: unknown[] = [
      null,
      undefined,
      7,
      'Argon2id',
      [],
      {},
      { ...ARGON2ID, name: 'argon2id' },
      { ...ARGON2ID, name: 'Argon2i' },
      { name: 'scrypt', N: 16384, r: 8, p: 1 },
      { ...ARGON2ID, memoryKiB: 4 * 1024 * 1024 },
      { ...ARGON2ID, memoryKiB: BOUNDS.memoryKiB[1] + 1 },
      { ...ARGON2ID, memoryKiB: BOUNDS.memoryKiB[0] - 1 },
      { ...ARGON2ID, memoryKiB: 65_536.5 },
      { ...ARGON2ID, memoryKiB: '65536' },
      { ...ARGON2ID, iterations: 0 },
      { ...ARGON2ID, iterations: 1e9 },
      { ...ARGON2ID, iterations: Number.NaN },
      { ...ARGON2ID, parallelism: 0 },
      { ...ARGON2ID, parallelism: 64 },
      { name: 'Argon2id', memoryKiB: 65_536, iterations: 3 },
      // Each in range, the product not: 256 MiB x 16 passes.
      { ...ARGON2ID, memoryKiB: 256 * 1024, iterations: 16 },
      { name: 'PBKDF2-SHA256', iterations: 1 },
      { name: 'PBKDF2-SHA256', iterations: 1e12 },
      { name: 'PBKDF2-SHA256', iterations: 600_000.5 },
      { name: 'PBKDF2-SHA256', iterations: '600000' },
      { name: 'PBKDF2-SHA256' },
    ];
    for (const value of refused) expect(parseKdf(value), JSON.stringify(value)).toBeNull();
    // The edges are in.
    expect(parseKdf({ ...ARGON2ID, memoryKiB: 256 * 1024, iterations: 4 })).not.toBeNull();
    expect(parseKdf({ ...ARGON2ID, memoryKiB: 64 * 1024, iterations: 16 })).not.toBeNull();
  });

  it('salts of 16 to 64 bytes only', () => {
    expect(saltOk(new Uint8Array(16))).toBe(true);
    expect(saltOk(new Uint8Array(64))).toBe(true);
    expect(saltOk(new Uint8Array(8))).toBe(false);
    expect(saltOk(new Uint8Array(65))).toBe(false);
    expect(saltOk([1, 2, 3])).toBe(false);
    expect(saltOk(undefined)).toBe(false);
  });

  it('sameKdf compares every parameter', () => {
    expect(sameKdf(ARGON2ID, { ...ARGON2ID })).toBe(true);
    expect(sameKdf(ARGON2ID, { ...ARGON2ID, iterations: 2 })).toBe(false);
    expect(sameKdf(ARGON2ID, { name: 'PBKDF2-SHA256', iterations: 600_000 })).toBe(false);
  });
});
