/**
 * AES-GCM sealing of face data and the key wrapping around it (WebCrypto only, so the same
 * code runs in the page, in workers and in Node's tests). docs/SECURITY.md draws the hierarchy:
 * one random data key seals every record; a key derived from the passphrase (Argon2id; PBKDF2 in
 * vaults and files from before) or from a platform authenticator (WebAuthn PRF) wraps the data key.
 */

import { deriveArgon2id } from './derive';
import { ARGON2ID, type KdfParams } from './kdf';
import { pack, unpack } from './pack';

/** A sealed message: a fresh 96-bit nonce and the ciphertext with its 128-bit tag. */
export interface Sealed {
  iv: Uint8Array;
  data: Uint8Array;
}

/** The secret did not open the key: wrong passphrase or authenticator, or a damaged record. */
export class WrongSecretError extends Error {
  override name = 'WrongSecretError';
}

/** A sealed record did not open: it was altered, swapped with another record, or damaged. */
export class SealBrokenError extends Error {
  override name = 'SealBrokenError';
}

const subtle = () => globalThis.crypto.subtle;
const encoder = new TextEncoder();
// WebCrypto wants BufferSource backed by an ArrayBuffer; copying also detaches callers' views.
const buf = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer;

export function randomBytes(n: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

/** A new data key. Extractable only so it can be wrapped; callers keep the unwrapped copy. */
export function generateDataKey(): Promise<CryptoKey> {
  return subtle().generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
}

async function fromPassphrase(
  passphrase: string,
  salt: Uint8Array,
  params: KdfParams,
  key: AesKeyGenParams,
  usages: KeyUsage[],
): Promise<CryptoKey> {
  if (params.name === 'PBKDF2-SHA256') {
    const material = await subtle().importKey('raw', encoder.encode(passphrase), 'PBKDF2', false, [
      'deriveKey',
    ]);
    return subtle().deriveKey(
      { name: 'PBKDF2', hash: 'SHA-256', salt: buf(salt), iterations: params.iterations },
      material,
      key,
      false,
      usages,
    );
  }
  // hash-wasm refuses an empty password; no key is ever made from one (passphraseProblem), so
  // an empty passphrase can only be a wrong one.
  if (passphrase === '') throw new WrongSecretError('That secret does not open this vault.');
  const bits = await deriveArgon2id(passphrase, salt, params);
  try {
    return await subtle().importKey('raw', buf(bits), { name: key.name }, false, usages);
  } finally {
    // The raw key bytes are not needed once WebCrypto holds the (non-extractable) key.
    bits.fill(0);
  }
}

/** The key-encryption key a passphrase gives with `salt` (AES-KW, wrap/unwrap only). */
export function passphraseKek(
  passphrase: string,
  salt: Uint8Array,
  params: KdfParams = ARGON2ID,
): Promise<CryptoKey> {
  return fromPassphrase(passphrase, salt, params, { name: 'AES-KW', length: 256 }, [
    'wrapKey',
    'unwrapKey',
  ]);
}

/** The key-encryption key of 32 secret bytes (a WebAuthn PRF output), through HKDF-SHA256. */
export async function secretBytesKek(secret: Uint8Array, salt: Uint8Array): Promise<CryptoKey> {
  const material = await subtle().importKey('raw', buf(secret), 'HKDF', false, ['deriveKey']);
  return subtle().deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: buf(salt), info: encoder.encode('facegate data key') },
    material,
    { name: 'AES-KW', length: 256 },
    false,
    ['wrapKey', 'unwrapKey'],
  );
}

/** An AES-GCM key straight from a passphrase, for a file sealed on its own (an export). */
export function passphraseFileKey(
  passphrase: string,
  salt: Uint8Array,
  params: KdfParams = ARGON2ID,
): Promise<CryptoKey> {
  return fromPassphrase(passphrase, salt, params, { name: 'AES-GCM', length: 256 }, [
    'encrypt',
    'decrypt',
  ]);
}

export async function wrapDataKey(kek: CryptoKey, dataKey: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await subtle().wrapKey('raw', dataKey, kek, 'AES-KW'));
}

/**
 * The data key inside `wrapped`. AES-KW carries its own integrity check, so a wrong KEK fails
 * here rather than yielding a wrong key. Non-extractable unless re-wrapping needs it.
 */
export async function unwrapDataKey(
  kek: CryptoKey,
  wrapped: Uint8Array,
  extractable = false,
): Promise<CryptoKey> {
  try {
    return await subtle().unwrapKey(
      'raw',
      buf(wrapped),
      kek,
      'AES-KW',
      { name: 'AES-GCM', length: 256 },
      extractable,
      ['encrypt', 'decrypt'],
    );
  } catch {
    throw new WrongSecretError('That secret does not open this vault.');
  }
}

/**
 * `aad` names the record (store and id): a sealed value only opens under the name it was sealed
 * for, so ciphertexts cannot be swapped between people to make one face unlock as another.
 */
export async function sealBytes(key: CryptoKey, bytes: Uint8Array, aad: string): Promise<Sealed> {
  const iv = randomBytes(12);
  const data = await subtle().encrypt(
    { name: 'AES-GCM', iv: buf(iv), additionalData: encoder.encode(aad) },
    key,
    buf(bytes),
  );
  return { iv, data: new Uint8Array(data) };
}

export async function openBytes(key: CryptoKey, sealed: Sealed, aad: string): Promise<Uint8Array> {
  try {
    const plain = await subtle().decrypt(
      { name: 'AES-GCM', iv: buf(sealed.iv), additionalData: encoder.encode(aad) },
      key,
      buf(sealed.data),
    );
    return new Uint8Array(plain);
  } catch {
    throw new SealBrokenError(`A stored record (${aad}) could not be decrypted.`);
  }
}

export async function sealValue(key: CryptoKey, value: unknown, aad: string): Promise<Sealed> {
  return sealBytes(key, pack(value), aad);
}

export async function openValue<T>(key: CryptoKey, sealed: Sealed, aad: string): Promise<T> {
  return unpack<T>(await openBytes(key, sealed, aad));
}

export function isSealed(v: unknown): v is Sealed {
  return (
    typeof v === 'object' &&
    v !== null &&
    (v as Sealed).iv instanceof Uint8Array &&
    (v as Sealed).data instanceof Uint8Array
  );
}
