/**
 * The IndexedDB schema (current version) and the invariants every record obeys, shared by
 * the repositories and the import validator. Schema changes go through MIGRATIONS in db.ts.
 */

import type { DBSchema } from 'idb';
import type { Adapter } from '../finetune/adapter';
import type { GuardReport, ScoreNorm } from '../finetune/finetune';
import { norm } from '../math/match';

export const DB_NAME = 'facegate';

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

export interface SettingRecord {
  key: string;
  value: unknown;
}

export interface AttemptRecord {
  /** Assigned by the store. */
  id?: number;
  at: number;
  outcome: 'accepted' | 'rejected';
  mode: 'verify' | 'identify';
  /** The accepted person, or the closest one for a rejection. */
  personId: string | null;
}

export interface FacegateSchema extends DBSchema {
  people: { key: string; value: PersonRecord; indexes: { 'by-name': string } };
  samples: { key: string; value: SampleRecord; indexes: { 'by-person': string } };
  settings: { key: string; value: SettingRecord };
  attempts: { key: number; value: AttemptRecord; indexes: { 'by-time': number } };
  finetune: { key: string; value: FinetuneRecord };
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
