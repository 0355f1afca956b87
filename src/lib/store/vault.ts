/**
 * The vault's records: the data key wrapped by each secret, the sealed note, and the lockout
 * count. Key handling itself lives in crypto/seal.ts; this file only reads and writes.
 */

import { ARGON2ID, parseKdf, saltOk, sameKdf, type KdfParams } from '../crypto/kdf';
import {
  generateDataKey,
  openValue,
  passphraseKek,
  randomBytes,
  sealValue,
  secretBytesKek,
  unwrapDataKey,
  wrapDataKey,
} from '../crypto/seal';
import {
  afterFailure,
  afterSuccess,
  isLockoutState,
  NO_FAILURES,
  type LockoutState,
} from '../security/lockout';
import { openFacegateDb, StoreError, writeTransaction } from './db';
import type { AuthenticatorWrap, LockoutRecord, PassphraseWrap, VaultRecord } from './schema';
import { aad } from './sealing';
import { sealLegacy } from './people';

export const PASSPHRASE_MIN_LENGTH = 8;

/** Why a new passphrase is not acceptable, or null. */
export function passphraseProblem(passphrase: string): string | null {
  if (passphrase.length < PASSPHRASE_MIN_LENGTH) {
    return `Choose a passphrase of at least ${PASSPHRASE_MIN_LENGTH} characters.`;
  }
  if (passphrase.length > 1024) return 'That passphrase is too long (1024 characters at most).';
  return null;
}

export async function hasVault(): Promise<boolean> {
  const db = await openFacegateDb();
  return (await db.get('vault', 'passphrase')) !== undefined;
}

function passphraseRecord(salt: Uint8Array, wrapped: Uint8Array): PassphraseWrap {
  return { key: 'passphrase', salt, kdf: ARGON2ID, wrapped, changedAt: Date.now() };
}

/**
 * The derivation a stored wrap names (no `kdf`: PBKDF2 from before Argon2id). A record edited to
 * ask for absurd work is refused before any is done, as a crafted import file is.
 */
function wrapKdf(record: PassphraseWrap): KdfParams {
  const kdf = parseKdf(record.kdf ?? { name: 'PBKDF2-SHA256', iterations: record.iterations });
  if (!kdf || !saltOk(record.salt)) {
    throw new StoreError('The stored passphrase key has settings this version refuses to use.');
  }
  return kdf;
}

async function passphraseWrap(): Promise<PassphraseWrap> {
  const db = await openFacegateDb();
  const record = await db.get('vault', 'passphrase');
  if (record?.key !== 'passphrase') throw new StoreError('No passphrase has been set yet.');
  return record;
}

/**
 * Makes the data key and wraps it with `passphrase`. Refuses if a vault exists (another tab
 * may have made one a moment ago): the second key would orphan everything sealed with the first.
 */
export async function createVault(passphrase: string): Promise<CryptoKey> {
  const problem = passphraseProblem(passphrase);
  if (problem) throw new StoreError(problem);
  const dataKey = await generateDataKey();
  const salt = randomBytes(16);
  // Derived once (~0.5 s): it wraps the key here and unwraps the copy handed out below.
  const kek = await passphraseKek(passphrase, salt, ARGON2ID);
  const wrapped = await wrapDataKey(kek, dataKey);
  const note = await sealValue(dataKey, { text: '' }, aad.note());
  // People enrolled before version 4 are sealed in the same transaction as the key is stored:
  // no moment where the vault exists and their plain records would be ignored (and lost).
  const legacy = await sealLegacy(dataKey);
  await writeTransaction(['vault', 'people', 'samples', 'finetune'], async (tx) => {
    const store = tx.objectStore('vault');
    if (await store.get('passphrase')) {
      throw new StoreError('A passphrase was just set in another tab. Enter that one.');
    }
    // Only records still there: one deleted meanwhile (another tab) must stay deleted.
    const people = tx.objectStore('people');
    const samples = tx.objectStore('samples');
    const [stillPeople, stillSamples] = await Promise.all([
      Promise.all(legacy.people.map((p) => people.getKey(p.id))),
      Promise.all(legacy.samples.map((s) => samples.getKey(s.id))),
    ]);
    await Promise.all([
      ...legacy.people.map((p, i) => (stillPeople[i] !== undefined ? people.put(p) : null)),
      ...legacy.samples.map((s, i) => (stillSamples[i] !== undefined ? samples.put(s) : null)),
      legacy.finetune ? tx.objectStore('finetune').put(legacy.finetune) : null,
    ]);
    await Promise.all([
      store.put(passphraseRecord(salt, wrapped)),
      store.put({ key: 'note', sealed: note }),
    ]);
  });
  // Handed out non-extractable, like every unwrapped copy.
  return unwrapDataKey(kek, wrapped);
}

/** The data key, if `passphrase` is right; WrongSecretError if not. Changes nothing stored. */
export async function openWithPassphrase(
  passphrase: string,
  extractable = false,
): Promise<CryptoKey> {
  const record = await passphraseWrap();
  const kek = await passphraseKek(passphrase, record.salt, wrapKdf(record));
  return unwrapDataKey(kek, record.wrapped, extractable);
}

/**
 * Opening by the passphrase: the data key, and a wrap made with other KDF settings than today's
 * (PBKDF2 from before Argon2id, or older Argon2id parameters) re-wrapped under ARGON2ID. The same
 * data key, so nothing else is re-encrypted; one transaction replaces the wrap. The upgrade is best
 * effort: if it fails (no memory for Argon2id, a full disk), the old wrap still opens the vault.
 */
export async function unlockWithPassphrase(passphrase: string): Promise<CryptoKey> {
  const record = await passphraseWrap();
  const kdf = wrapKdf(record);
  const kek = await passphraseKek(passphrase, record.salt, kdf);
  const dataKey = await unwrapDataKey(kek, record.wrapped);
  if (!sameKdf(kdf, ARGON2ID)) {
    try {
      await rewrap(passphrase, record, kek);
    } catch (e) {
      console.warn('The passphrase key was not upgraded to Argon2id; the old one still works.', e);
    }
  }
  return dataKey;
}

async function rewrap(passphrase: string, before: PassphraseWrap, kek: CryptoKey): Promise<void> {
  // Extractable only for the moment it takes to wrap it again.
  const dataKey = await unwrapDataKey(kek, before.wrapped, true);
  const salt = randomBytes(16);
  const wrapped = await wrapDataKey(await passphraseKek(passphrase, salt, ARGON2ID), dataKey);
  await writeTransaction(['vault'], async (tx) => {
    const store = tx.objectStore('vault');
    const current = await store.get('passphrase');
    // Another tab changed the passphrase (or upgraded it) meanwhile: its wrap stands.
    if (current?.key !== 'passphrase' || current.changedAt !== before.changedAt) return;
    await store.put(passphraseRecord(salt, wrapped));
  });
}

/**
 * Re-wraps the same data key under a new passphrase: nothing else is re-encrypted. The old
 * passphrase must open it first (a wrong one changes nothing). Authenticator wraps stay valid.
 */
export async function changePassphrase(
  oldPassphrase: string,
  newPassphrase: string,
): Promise<void> {
  const problem = passphraseProblem(newPassphrase);
  if (problem) throw new StoreError(problem);
  const before = await passphraseWrap();
  const dataKey = await openWithPassphrase(oldPassphrase, true);
  const salt = randomBytes(16);
  const wrapped = await wrapDataKey(await passphraseKek(newPassphrase, salt, ARGON2ID), dataKey);
  await writeTransaction(['vault'], async (tx) => {
    const store = tx.objectStore('vault');
    const current = await store.get('passphrase');
    // Another tab changed it meanwhile: the old passphrase no longer describes this vault.
    if (current?.key !== 'passphrase' || current.changedAt !== before.changedAt) {
      throw new StoreError('The passphrase was changed in another tab; nothing was changed here.');
    }
    await store.put(passphraseRecord(salt, wrapped));
  });
}

export async function getAuthenticatorWrap(): Promise<AuthenticatorWrap | undefined> {
  const db = await openFacegateDb();
  const record = await db.get('vault', 'authenticator');
  return record?.key === 'authenticator' ? record : undefined;
}

/** Adds a wrap of the data key under an authenticator's PRF output (needs the passphrase). */
export async function addAuthenticator(
  passphrase: string,
  credentialId: Uint8Array,
  salt: Uint8Array,
  prfOutput: Uint8Array,
): Promise<void> {
  const dataKey = await openWithPassphrase(passphrase, true);
  const wrapped = await wrapDataKey(await secretBytesKek(prfOutput, salt), dataKey);
  const record: AuthenticatorWrap = {
    key: 'authenticator',
    credentialId,
    salt,
    wrapped,
    createdAt: Date.now(),
  };
  await writeTransaction(['vault'], async (tx) => {
    await tx.objectStore('vault').put(record);
  });
}

export async function openWithAuthenticator(prfOutput: Uint8Array): Promise<CryptoKey> {
  const record = await getAuthenticatorWrap();
  if (!record) throw new StoreError('No authenticator is set up for this vault.');
  return unwrapDataKey(await secretBytesKek(prfOutput, record.salt), record.wrapped);
}

export async function removeAuthenticator(): Promise<void> {
  await writeTransaction(['vault'], async (tx) => {
    await tx.objectStore('vault').delete('authenticator');
  });
}

export async function readNote(key: CryptoKey): Promise<string> {
  const db = await openFacegateDb();
  const record = await db.get('vault', 'note');
  if (record?.key !== 'note') return '';
  return (await openValue<{ text: string }>(key, record.sealed, aad.note())).text;
}

export async function writeNote(key: CryptoKey, text: string): Promise<void> {
  const sealed = await sealValue(key, { text }, aad.note());
  await writeTransaction(['vault'], async (tx) => {
    await tx.objectStore('vault').put({ key: 'note', sealed });
  });
}

/** The stored count; a damaged one errs on the safe side: the secret is asked for. */
function lockoutFrom(record: VaultRecord | undefined): LockoutState {
  if (record?.key !== 'lockout') return { ...NO_FAILURES };
  const state = {
    failures: record.failures,
    lockedOut: record.lockedOut,
    lastFailureAt: record.lastFailureAt,
  };
  return isLockoutState(state) ? state : { failures: 5, lockedOut: true, lastFailureAt: null };
}

export async function readLockout(): Promise<LockoutState> {
  const db = await openFacegateDb();
  return lockoutFrom(await db.get('vault', 'lockout'));
}

/** Read, change and write in one transaction, so two tabs failing at once both count. */
async function updateLockout(change: (s: LockoutState) => LockoutState): Promise<LockoutState> {
  return writeTransaction(['vault'], async (tx) => {
    const store = tx.objectStore('vault');
    const next = change(lockoutFrom(await store.get('lockout')));
    const out: LockoutRecord = { key: 'lockout', ...next };
    await store.put(out);
    return next;
  });
}

export function recordFailure(now: number = Date.now()): Promise<LockoutState> {
  return updateLockout((s) => afterFailure(s, now));
}

export function clearFailures(): Promise<LockoutState> {
  return updateLockout(() => afterSuccess());
}
