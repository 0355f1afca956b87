/**
 * Plain records (in memory) <-> sealed records (on disk). Each secret part is sealed under the
 * record's own name (AAD), so a ciphertext moved to another record no longer opens.
 */

import { openValue, sealValue, isSealed } from '../crypto/seal';
import type {
  FinetuneRecord,
  LegacyFinetune,
  LegacyPerson,
  LegacySample,
  PersonRecord,
  SampleRecord,
  StoredCrop,
  StoredFinetune,
  StoredPerson,
  StoredSample,
} from './schema';

export const aad = {
  person: (id: string) => `facegate/people/${id}`,
  thumb: (id: string) => `facegate/thumb/${id}`,
  sample: (id: string) => `facegate/samples/${id}`,
  finetune: () => 'facegate/finetune/current',
  note: () => 'facegate/vault/note',
};

export function isStoredPerson(r: StoredPerson | LegacyPerson): r is StoredPerson {
  return isSealed((r as StoredPerson).sealed);
}
export function isStoredSample(r: StoredSample | LegacySample): r is StoredSample {
  return isSealed((r as StoredSample).sealed);
}
export function isStoredFinetune(r: StoredFinetune | LegacyFinetune): r is StoredFinetune {
  return isSealed((r as StoredFinetune).sealed);
}

interface ThumbPayload {
  type: string;
  bytes: Uint8Array;
}

export async function sealThumbnail(
  key: CryptoKey,
  personId: string,
  thumbnail: Blob | null,
): Promise<StoredPerson['thumb']> {
  if (!thumbnail) return null;
  const payload: ThumbPayload = {
    type: thumbnail.type,
    bytes: new Uint8Array(await thumbnail.arrayBuffer()),
  };
  return sealValue(key, payload, aad.thumb(personId));
}

export function sealTemplate(
  key: CryptoKey,
  personId: string,
  template: Float32Array,
): Promise<StoredPerson['sealed']> {
  return sealValue(key, { template }, aad.person(personId));
}

export async function sealPerson(key: CryptoKey, p: PersonRecord): Promise<StoredPerson> {
  return {
    id: p.id,
    name: p.name,
    modelId: p.modelId,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    sealed: await sealTemplate(key, p.id, p.template),
    thumb: await sealThumbnail(key, p.id, p.thumbnail),
  };
}

export async function openPerson(key: CryptoKey, s: StoredPerson): Promise<PersonRecord> {
  const { template } = await openValue<{ template: Float32Array }>(key, s.sealed, aad.person(s.id));
  let thumbnail: Blob | null = null;
  if (s.thumb) {
    const t = await openValue<ThumbPayload>(key, s.thumb, aad.thumb(s.id));
    thumbnail = new Blob([t.bytes.slice().buffer], { type: t.type });
  }
  return {
    id: s.id,
    name: s.name,
    modelId: s.modelId,
    template,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    thumbnail,
  };
}

export async function sealSample(key: CryptoKey, s: SampleRecord): Promise<StoredSample> {
  const payload: { embedding: Float32Array; crop?: StoredCrop } = { embedding: s.embedding };
  if (s.crop) payload.crop = s.crop;
  const out: StoredSample = {
    id: s.id,
    personId: s.personId,
    modelId: s.modelId,
    createdAt: s.createdAt,
    sealed: await sealValue(key, payload, aad.sample(s.id)),
    hasCrop: s.crop !== undefined,
  };
  if (s.pose !== undefined) out.pose = s.pose;
  return out;
}

export async function openSample(key: CryptoKey, s: StoredSample): Promise<SampleRecord> {
  const payload = await openValue<{ embedding: Float32Array; crop?: StoredCrop }>(
    key,
    s.sealed,
    aad.sample(s.id),
  );
  const out: SampleRecord = {
    id: s.id,
    personId: s.personId,
    modelId: s.modelId,
    embedding: payload.embedding,
    createdAt: s.createdAt,
  };
  if (s.pose !== undefined) out.pose = s.pose;
  if (payload.crop) out.crop = payload.crop;
  return out;
}

type FinetuneSecret = Omit<FinetuneRecord, 'key' | 'modelId' | 'samplesKey'>;

export async function sealFinetune(key: CryptoKey, r: FinetuneRecord): Promise<StoredFinetune> {
  const { modelId, samplesKey, ...rest } = r;
  const secret: Partial<FinetuneRecord> = { ...rest };
  delete secret.key;
  return {
    key: 'current',
    modelId,
    samplesKey,
    sealed: await sealValue(key, secret, aad.finetune()),
  };
}

export async function openFinetune(key: CryptoKey, s: StoredFinetune): Promise<FinetuneRecord> {
  const secret = await openValue<FinetuneSecret>(key, s.sealed, aad.finetune());
  return { ...secret, key: 'current', modelId: s.modelId, samplesKey: s.samplesKey };
}
