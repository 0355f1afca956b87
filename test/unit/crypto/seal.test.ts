import { beforeAll, describe, expect, it } from 'vitest';
import {
  generateDataKey,
  isSealed,
  openBytes,
  openValue,
  passphraseKek,
  randomBytes,
  SealBrokenError,
  sealBytes,
  sealValue,
  secretBytesKek,
  unwrapDataKey,
  WrongSecretError,
  wrapDataKey,
} from '../../../src/lib/crypto/seal';
import type { KdfParams } from '../../../src/lib/crypto/kdf';

const AAD = 'facegate/people/p1';
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.slice().buffer));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Low iteration counts keep these tests fast; the count itself is not what is tested. */
const FAST: KdfParams = { name: 'PBKDF2-SHA256', iterations: 1_000 };

let key: CryptoKey;

beforeAll(async () => {
  key = await generateDataKey();
});

describe('sealValue / openValue', () => {
  it('round-trips a record with its typed arrays bit for bit', async () => {
    const value = {
      template: Float32Array.of(0.6, -0.8, -0, 1e-45),
      crop: { width: 1, height: 1, data: Uint8ClampedArray.of(1, 2, 3, 255) },
      name: 'Zoë',
    };
    const sealed = await sealValue(key, value, AAD);
    expect(isSealed(sealed)).toBe(true);
    expect(sealed.iv).toHaveLength(12);
    // Ciphertext plus a 16-byte tag.
    expect(sealed.data.byteLength).toBeGreaterThan(16);
    const back = await openValue<typeof value>(key, sealed, AAD);
    expect(back).toEqual(value);
    expect(bits(back.template)).toEqual(bits(value.template));
    expect(back.crop.data).toBeInstanceOf(Uint8ClampedArray);
  });

  it('does not contain the plaintext bytes', async () => {
    const plain = Uint8Array.from({ length: 64 }, (_, i) => i * 3);
    const sealed = await sealBytes(key, plain, AAD);
    expect(hex(sealed.data)).not.toContain(hex(plain.subarray(0, 16)));
    expect(Array.from(await openBytes(key, sealed, AAD))).toEqual(Array.from(plain));
  });

  it('refuses to open under another record’s name (AAD)', async () => {
    const sealed = await sealValue(key, { template: Float32Array.of(1) }, AAD);
    await expect(openValue(key, sealed, 'facegate/people/p2')).rejects.toThrow(SealBrokenError);
    await expect(openValue(key, sealed, '')).rejects.toThrow(SealBrokenError);
    // The right name still opens it.
    await expect(openValue(key, sealed, AAD)).resolves.toBeDefined();
  });

  it('refuses a ciphertext, tag or nonce with one bit flipped', async () => {
    const sealed = await sealValue(key, { template: Float32Array.of(0.6, 0.8) }, AAD);
    const last = sealed.data.length - 1;
    for (const at of [0, Math.floor(last / 2), last]) {
      const data = sealed.data.slice();
      data[at] = (data[at] as number) ^ 0x01;
      await expect(openValue(key, { iv: sealed.iv, data }, AAD)).rejects.toThrow(SealBrokenError);
    }
    const iv = sealed.iv.slice();
    iv[0] = (iv[0] as number) ^ 0x80;
    await expect(openValue(key, { iv, data: sealed.data }, AAD)).rejects.toThrow(SealBrokenError);
    // A truncated message too.
    await expect(
      openValue(key, { iv: sealed.iv, data: sealed.data.subarray(0, 8) }, AAD),
    ).rejects.toThrow(SealBrokenError);
  });

  it('refuses another key', async () => {
    const sealed = await sealValue(key, { x: 1 }, AAD);
    const other = await generateDataKey();
    await expect(openValue(other, sealed, AAD)).rejects.toThrow(SealBrokenError);
  });

  it('uses a fresh nonce every time: the same value seals differently', async () => {
    const value = { template: Float32Array.of(0.6, 0.8) };
    const a = await sealValue(key, value, AAD);
    const b = await sealValue(key, value, AAD);
    expect(hex(a.iv)).not.toBe(hex(b.iv));
    expect(hex(a.data)).not.toBe(hex(b.data));
    const ivs = new Set<string>();
    for (let i = 0; i < 50; i++) ivs.add(hex((await sealBytes(key, new Uint8Array(1), AAD)).iv));
    expect(ivs.size).toBe(50);
  });

  it('does not change or keep the caller’s buffers', async () => {
    const plain = Uint8Array.of(1, 2, 3);
    const sealed = await sealBytes(key, plain, AAD);
    expect(Array.from(plain)).toEqual([1, 2, 3]);
    const copy = { iv: sealed.iv.slice(), data: sealed.data.slice() };
    await openBytes(key, sealed, AAD);
    expect(hex(sealed.iv)).toBe(hex(copy.iv));
    expect(hex(sealed.data)).toBe(hex(copy.data));
  });

  it('isSealed accepts only { iv, data } byte arrays', () => {
    expect(isSealed({ iv: new Uint8Array(12), data: new Uint8Array(20) })).toBe(true);
    expect(isSealed(null)).toBe(false);
    expect(isSealed({ iv: new Uint8Array(12) })).toBe(false);
    expect(isSealed({ iv: [1], data: new Uint8Array(2) })).toBe(false);
    expect(isSealed({ iv: new Uint8Array(12), data: new Float32Array(2) })).toBe(false);
  });
});

describe('wrapping the data key', () => {
  it('the right passphrase unwraps it; a wrong one throws WrongSecretError', async () => {
    const salt = randomBytes(16);
    const wrapped = await wrapDataKey(await passphraseKek('right passphrase', salt, FAST), key);
    // AES-KW of a 256-bit key: 40 bytes, and not the key itself.
    expect(wrapped).toHaveLength(40);
    const raw = new Uint8Array(await crypto.subtle.exportKey('raw', key));
    expect(hex(wrapped)).not.toContain(hex(raw));

    const opened = await unwrapDataKey(
      await passphraseKek('right passphrase', salt, FAST),
      wrapped,
    );
    const sealed = await sealValue(key, { secret: 'note' }, AAD);
    expect(await openValue(opened, sealed, AAD)).toEqual({ secret: 'note' });

    await expect(
      unwrapDataKey(await passphraseKek('wrong passphrase', salt, FAST), wrapped),
    ).rejects.toThrow(WrongSecretError);
    // Same passphrase, other salt or other iteration count: a different KEK.
    await expect(
      unwrapDataKey(await passphraseKek('right passphrase', randomBytes(16), FAST), wrapped),
    ).rejects.toThrow(WrongSecretError);
    await expect(
      unwrapDataKey(
        await passphraseKek('right passphrase', salt, { ...FAST, iterations: 1_001 }),
        wrapped,
      ),
    ).rejects.toThrow(WrongSecretError);
    // A damaged wrap.
    const damaged = wrapped.slice();
    damaged[5] = (damaged[5] as number) ^ 1;
    await expect(
      unwrapDataKey(await passphraseKek('right passphrase', salt, FAST), damaged),
    ).rejects.toThrow(WrongSecretError);
  });

  it('the passphrase KEK can only wrap and unwrap, and cannot be exported', async () => {
    const kek = await passphraseKek('right passphrase', randomBytes(16), FAST);
    expect(kek.extractable).toBe(false);
    expect([...kek.usages].sort()).toEqual(['unwrapKey', 'wrapKey']);
    await expect(crypto.subtle.exportKey('raw', kek)).rejects.toThrow();
  });

  it('hands out a non-extractable key by default, an extractable one only when asked', async () => {
    const salt = randomBytes(16);
    const kek = await passphraseKek('right passphrase', salt, FAST);
    const wrapped = await wrapDataKey(kek, key);
    const locked = await unwrapDataKey(kek, wrapped);
    expect(locked.extractable).toBe(false);
    expect([...locked.usages].sort()).toEqual(['decrypt', 'encrypt']);
    await expect(crypto.subtle.exportKey('raw', locked)).rejects.toThrow();
    // A non-extractable key cannot be wrapped again either.
    await expect(wrapDataKey(kek, locked)).rejects.toThrow();

    const open = await unwrapDataKey(kek, wrapped, true);
    expect(open.extractable).toBe(true);
    const original = new Uint8Array(await crypto.subtle.exportKey('raw', key));
    expect(hex(new Uint8Array(await crypto.subtle.exportKey('raw', open)))).toBe(hex(original));
  });

  it('secretBytesKek: the right 32 bytes unwrap, other bytes or another salt do not', async () => {
    const secretA = randomBytes(32);
    const secretB = randomBytes(32);
    const salt = randomBytes(32);
    const kekA = await secretBytesKek(secretA, salt);
    const wrapped = await wrapDataKey(kekA, key);
    const opened = await unwrapDataKey(await secretBytesKek(secretA.slice(), salt), wrapped);
    const sealed = await sealValue(key, { n: 1 }, AAD);
    expect(await openValue(opened, sealed, AAD)).toEqual({ n: 1 });

    await expect(unwrapDataKey(await secretBytesKek(secretB, salt), wrapped)).rejects.toThrow(
      WrongSecretError,
    );
    await expect(
      unwrapDataKey(await secretBytesKek(secretA, randomBytes(32)), wrapped),
    ).rejects.toThrow(WrongSecretError);
    // Each secret wraps the same data key to different bytes.
    const wrappedB = await wrapDataKey(await secretBytesKek(secretB, salt), key);
    expect(hex(wrappedB)).not.toBe(hex(wrapped));
    const openedB = await unwrapDataKey(await secretBytesKek(secretB, salt), wrappedB);
    expect(await openValue(openedB, sealed, AAD)).toEqual({ n: 1 });
  });

  it('a fresh data key is AES-GCM-256 and differs every time', async () => {
    const a = await generateDataKey();
    const b = await generateDataKey();
    expect(a.algorithm).toMatchObject({ name: 'AES-GCM', length: 256 });
    const rawA = new Uint8Array(await crypto.subtle.exportKey('raw', a));
    const rawB = new Uint8Array(await crypto.subtle.exportKey('raw', b));
    expect(rawA).toHaveLength(32);
    expect(hex(rawA)).not.toBe(hex(rawB));
  });
});
