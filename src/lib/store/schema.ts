/**
 * The IndexedDB schema (current version) and the invariants every record obeys, shared by
 * the repositories and the import validator. Schema changes go through MIGRATIONS in db.ts.
 */

import type { DBSchema } from 'idb';
import type { Adapter } from '../finetune/adapter';
import type { GuardReport } from '../finetune/guard';
import type { ScoreNorm } from '../math/score-norm';
import type { KdfParams } from '../crypto/kdf';
import type { Sealed } from '../crypto/seal';
import { norm } from '../math/match';

export const DB_NAME = 'facegate';

/**
 * A person as the app uses them, in memory only once the vault is open. On disk it is a
 * StoredPerson; before version 4 it was stored like this, in plain form (LegacyPerson).
 */
export interface PersonRecord {
  id: string;
  name: string;
  /** ModelManifest.id of the backbone that made the embeddings; never mix models. */
  modelId: string;
  /** L2-normalised mean of this person's samples (math/match.ts template()). */
  template: Float32Array;
  createdAt: number;
  updatedAt: number;
  thumbnail: Blob | null;
}

/** A sample as the app uses it; on disk a StoredSample (before version 4, like this). */
export interface SampleRecord {
  id: string;
  personId: string;
  modelId: string;
  /** Unit length, stored as a Float32Array (structured clone keeps it binary and bit-exact). */
  embedding: Float32Array;
  createdAt: number;
  pose?: string;
  /**
   * The aligned face crop (RGBA) the embedding came from, kept on this device only so fine-tuning
   * can make augmented views of it. Absent for imported samples and those from before v3.
   */
  crop?: StoredCrop;
}

export interface StoredCrop {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/**
 * The result of the last on-device fine-tune. One record ('current'): a fine-tune is only valid
 * for the model and the exact samples it was trained on, and any change to the people removes it
 * in the same transaction (people.ts), so a deleted person's face never stays in an adapter.
 */
export interface FinetuneRecord {
  key: 'current';
  modelId: string;
  /** finetuneKey() of the samples it was trained on. */
  samplesKey: string;
  people: { id: string; name: string }[];
  /** False when the validation check refused it: the app keeps the base model. */
  used: boolean;
  adapter: Adapter | null;
  /** Each person's template in the fine-tuned space (the trained LMCL class weights). */
  templates: { personId: string; template: Float32Array }[];
  guard: GuardReport;
  /**
   * Per-person score normalisation against the background bank, for the templates in use (the
   * trained ones when `used`, else the base ones), in `templates`' order; null or absent: none.
   */
  norm?: ScoreNorm | null;
  createdAt: number;
  seconds: number;
  backend: string;
}

/** On disk: name and dates in plain form, the template and the photo sealed (crypto/seal.ts). */
export interface StoredPerson {
  id: string;
  name: string;
  modelId: string;
  createdAt: number;
  updatedAt: number;
  /** { template } */
  sealed: Sealed;
  /** { type, bytes } of the small photo, when one is kept. */
  thumb: Sealed | null;
}

export interface StoredSample {
  id: string;
  personId: string;
  modelId: string;
  createdAt: number;
  pose?: string;
  /** { embedding, crop? } */
  sealed: Sealed;
  hasCrop: boolean;
}

export interface StoredFinetune {
  key: 'current';
  modelId: string;
  samplesKey: string;
  /** Every other field of the FinetuneRecord. */
  sealed: Sealed;
}

/** Records written before version 4 (and not yet sealed by the first secret). */
export type LegacyPerson = PersonRecord;
export type LegacySample = SampleRecord;
export type LegacyFinetune = FinetuneRecord;

/**
 * How the data key is wrapped by the passphrase: with the key `kdf` derives from it and `salt`.
 * Wraps written before Argon2id have no `kdf` but `iterations` (PBKDF2-SHA256 rounds); they stay
 * readable and are re-wrapped under Argon2id at the next passphrase unlock (store/vault.ts). No
 * migration: the vault store's records are keyed by name, the new field needs no index.
 */
export interface PassphraseWrap {
  key: 'passphrase';
  salt: Uint8Array;
  kdf?: KdfParams;
  /** Only in wraps from before `kdf`: PBKDF2-SHA256 rounds. */
  iterations?: number;
  wrapped: Uint8Array;
  changedAt: number;
}

/** How the data key is wrapped by a platform authenticator's PRF output (WebAuthn). */
export interface AuthenticatorWrap {
  key: 'authenticator';
  credentialId: Uint8Array;
  /** The PRF input (also the HKDF salt). */
  salt: Uint8Array;
  wrapped: Uint8Array;
  createdAt: number;
}

/** The vault's own contents: a note shown only when it is open. */
export interface VaultNote {
  key: 'note';
  sealed: Sealed;
}

/**
 * Failed face attempts in a row. Plain: it must be read before any secret is given. Someone who
 * can rewrite it can also copy the profile, and then faces the passphrase, not the face check.
 */
export interface LockoutRecord {
  key: 'lockout';
  failures: number;
  lockedOut: boolean;
  lastFailureAt: number | null;
}

/**
 * Wrong passphrases typed in a row (security/passphrase-wait.ts). Plain, like LockoutRecord: the
 * wait is shown before the passphrase is typed. It slows guessing through the app only; an
 * attacker with a copy of the profile pays the key derivation instead.
 */
export interface PassphraseFailuresRecord {
  key: 'passphrase-failures';
  failures: number;
  lastFailureAt: number | null;
}

export type VaultRecord =
  PassphraseWrap | AuthenticatorWrap | VaultNote | LockoutRecord | PassphraseFailuresRecord;

export interface SettingRecord {
  key: string;
  value: unknown;
}

export interface AttemptRecord {
  /** Assigned by the store. */
  id?: number;
  at: number;
  /** not_live: the face never showed life (a photo or a screen, or a person holding too still). */
  outcome: 'accepted' | 'rejected' | 'not_live';
  mode: 'verify' | 'identify';
  /** The accepted person, or the closest one for a rejection. */
  personId: string | null;
}

export interface FacegateSchema extends DBSchema {
  people: { key: string; value: StoredPerson | LegacyPerson; indexes: { 'by-name': string } };
  samples: { key: string; value: StoredSample | LegacySample; indexes: { 'by-person': string } };
  settings: { key: string; value: SettingRecord };
  attempts: { key: number; value: AttemptRecord; indexes: { 'by-time': number } };
  finetune: { key: string; value: StoredFinetune | LegacyFinetune };
  vault: { key: string; value: VaultRecord };
}

export interface PersonWithSamples {
  person: PersonRecord;
  samples: SampleRecord[];
}

export const NAME_MAX_LENGTH = 60;

/** How far from 1 an embedding's norm may be: float32 rounding is ~1e-7, so this only catches real damage. */
export const UNIT_TOLERANCE = 1e-3;

/** The trimmed name, or a user-facing reason it is not acceptable. */
export function checkName(
  name: unknown,
): { ok: true; name: string } | { ok: false; reason: string } {
  if (typeof name !== 'string') return { ok: false, reason: 'A name is required.' };
  const trimmed = name.trim();
  if (trimmed.length === 0) return { ok: false, reason: 'A name is required.' };
  if (trimmed.length > NAME_MAX_LENGTH) {
    return { ok: false, reason: `Names can be at most ${NAME_MAX_LENGTH} characters long.` };
  }
  return { ok: true, name: trimmed };
}

/** Uniqueness is case-insensitive so "Ann" and "ann" cannot both be enrolled. */
export function nameKey(name: string): string {
  return name.trim().toLocaleLowerCase();
}

/** Why a value is not a usable embedding (of `dim` values, if given), or null if it is. */
export function embeddingProblem(value: unknown, dim?: number): string | null {
  if (!(value instanceof Float32Array)) return 'is not a Float32Array';
  if (value.length === 0) return 'is empty';
  if (dim !== undefined && value.length !== dim) {
    return `has ${value.length} values instead of ${dim}`;
  }
  for (const x of value) if (!Number.isFinite(x)) return 'contains a value that is not finite';
  const n = norm(value);
  if (Math.abs(n - 1) > UNIT_TOLERANCE) return `is not unit length (norm ${n.toFixed(4)})`;
  return null;
}
