/**
 * Enrolled people and their samples. Every write that touches both stores is one transaction,
 * so a person never exists without their samples, nor samples without their person.
 *
 * Everything secret is sealed with the vault's data key `key` before the transaction starts
 * (WebCrypto cannot be awaited inside one) and opened after reading; records without a seal
 * (written before version 4) are read only by the legacy functions at the end.
 */

import { template } from '../math/match';
import { openFacegateDb, StoreError, writeTransaction } from './db';
import { IMPORT_MAX_PEOPLE, type ParsedExport } from './export-format';
import { checkName, embeddingProblem, nameKey } from './schema';
import type {
  LegacyPerson,
  LegacySample,
  PersonRecord,
  PersonWithSamples,
  SampleRecord,
  StoredCrop,
  StoredFinetune,
  StoredPerson,
  StoredSample,
} from './schema';
import {
  isStoredFinetune,
  isStoredPerson,
  isStoredSample,
  openPerson,
  openSample,
  sealFinetune,
  sealPerson,
  sealSample,
  sealTemplate,
  sealThumbnail,
} from './sealing';

export interface NewPerson {
  name: string;
  modelId: string;
  samples: readonly Float32Array[];
  thumbnail: Blob | null;
  /** The aligned crop of each sample (same order), kept for on-device fine-tuning. */
  crops?: readonly (StoredCrop | null)[];
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function validName(name: string): string {
  const checked = checkName(name);
  if (!checked.ok) throw new StoreError(checked.reason);
  return checked.name;
}

function checkSamples(samples: readonly Float32Array[]): void {
  const dim = samples[0]?.length;
  if (dim === undefined) throw new StoreError('At least one face sample is needed to enrol.');
  samples.forEach((s, i) => {
    const problem = embeddingProblem(s, dim);
    if (problem) throw new StoreError(`Face sample ${i + 1} ${problem}; nothing was saved.`);
  });
}

/**
 * Fresh ids in ascending order: the by-person index orders a person's samples by primary key,
 * so sorted ids make getSamples() return them in the order they were given.
 */
function sortedIds(n: number): string[] {
  return Array.from({ length: n }, () => crypto.randomUUID()).sort();
}

function sampleRecords(
  personId: string,
  modelId: string,
  samples: readonly {
    embedding: Float32Array;
    createdAt: number;
    pose?: string;
    crop?: StoredCrop | null;
  }[],
): SampleRecord[] {
  const ids = sortedIds(samples.length);
  return samples.map((s, i) => {
    const record: SampleRecord = {
      id: ids[i] as string,
      personId,
      modelId,
      embedding: s.embedding,
      createdAt: s.createdAt,
    };
    if (s.pose !== undefined) record.pose = s.pose;
    if (s.crop) record.crop = s.crop;
    return record;
  });
}

function nameTaken(name: string): StoreError {
  return new StoreError(`Someone named "${name}" is already enrolled. Choose another name.`);
}

/** Case-insensitive check, run inside the writing transaction so two tabs cannot race past it. */
async function assertNameFree(
  people: { getAll(): Promise<(StoredPerson | LegacyPerson)[]> },
  name: string,
  exceptId: string | null,
): Promise<void> {
  const key = nameKey(name);
  const all = await people.getAll();
  if (all.some((p) => p.id !== exceptId && nameKey(p.name) === key)) throw nameTaken(name);
}

export async function addPerson(key: CryptoKey, input: NewPerson): Promise<PersonRecord> {
  const name = validName(input.name);
  checkSamples(input.samples);
  const now = Date.now();
  const person: PersonRecord = {
    id: crypto.randomUUID(),
    name,
    modelId: input.modelId,
    template: template(input.samples),
    createdAt: now,
    updatedAt: now,
    thumbnail: input.thumbnail,
  };
  const samples = sampleRecords(
    person.id,
    input.modelId,
    input.samples.map((embedding, i) => ({ embedding, createdAt: now, crop: input.crops?.[i] })),
  );
  const storedPerson = await sealPerson(key, person);
  const storedSamples = await Promise.all(samples.map((s) => sealSample(key, s)));
  await writeTransaction(['people', 'samples', 'finetune'], async (tx) => {
    const peopleStore = tx.objectStore('people');
    const sampleStore = tx.objectStore('samples');
    await assertNameFree(peopleStore, name, null);
    await Promise.all([
      peopleStore.add(storedPerson),
      ...storedSamples.map((s) => sampleStore.add(s)),
      tx.objectStore('finetune').clear(),
    ]);
  });
  return person;
}

/** How many people are enrolled (names are not secret; nothing is opened). */
export async function countPeople(): Promise<number> {
  const db = await openFacegateDb();
  return db.count('people');
}

/**
 * Records without a seal once the vault exists: written before version 4 and not sealed since,
 * or put there by someone with access to the profile to plant a face. They are never read.
 */
export async function countUnsealed(): Promise<number> {
  const db = await openFacegateDb();
  const [people, samples] = await Promise.all([db.getAll('people'), db.getAll('samples')]);
  return (
    people.filter((p) => !isStoredPerson(p)).length +
    samples.filter((s) => !isStoredSample(s)).length
  );
}

const byName = (a: PersonRecord, b: PersonRecord) => a.name.localeCompare(b.name);

async function openPeople(
  key: CryptoKey,
  stored: readonly (StoredPerson | LegacyPerson)[],
): Promise<PersonRecord[]> {
  return Promise.all(stored.filter(isStoredPerson).map((p) => openPerson(key, p)));
}

async function openSamples(
  key: CryptoKey,
  stored: readonly (StoredSample | LegacySample)[],
): Promise<SampleRecord[]> {
  return Promise.all(stored.filter(isStoredSample).map((s) => openSample(key, s)));
}

/** Everyone, sorted by name for display. */
export async function listPeople(key: CryptoKey): Promise<PersonRecord[]> {
  const db = await openFacegateDb();
  return (await openPeople(key, await db.getAll('people'))).sort(byName);
}

export async function getPerson(key: CryptoKey, id: string): Promise<PersonRecord | undefined> {
  const db = await openFacegateDb();
  const stored = await db.get('people', id);
  return stored && isStoredPerson(stored) ? openPerson(key, stored) : undefined;
}

/** A person's samples, in the order they were enrolled. */
export async function getSamples(key: CryptoKey, personId: string): Promise<SampleRecord[]> {
  const db = await openFacegateDb();
  return openSamples(key, await db.getAllFromIndex('samples', 'by-person', personId));
}

function groupSamples(
  people: readonly PersonRecord[],
  samples: readonly SampleRecord[],
): PersonWithSamples[] {
  const byPerson = new Map<string, SampleRecord[]>();
  for (const s of samples) {
    const list = byPerson.get(s.personId) ?? [];
    list.push(s);
    byPerson.set(s.personId, list);
  }
  return [...people]
    .sort(byName)
    .map((person) => ({ person, samples: byPerson.get(person.id) ?? [] }));
}

/** Everyone with their samples, read in one transaction so the snapshot is consistent (export). */
export async function listPeopleWithSamples(key: CryptoKey): Promise<PersonWithSamples[]> {
  const db = await openFacegateDb();
  const tx = db.transaction(['people', 'samples'], 'readonly');
  const [people, samples] = await Promise.all([
    tx.objectStore('people').getAll(),
    tx.objectStore('samples').index('by-person').getAll(),
    tx.done,
  ]);
  return groupSamples(await openPeople(key, people), await openSamples(key, samples));
}

function notFound(): StoreError {
  return new StoreError('This person is no longer enrolled (deleted in another tab?).');
}

export async function renamePerson(id: string, newName: string): Promise<void> {
  const name = validName(newName);
  await writeTransaction(['people'], async (tx) => {
    const store = tx.objectStore('people');
    const person = await store.get(id);
    if (!person) throw notFound();
    await assertNameFree(store, name, id);
    await store.put({ ...person, name, updatedAt: Date.now() });
  });
}

/**
 * Re-enrolment: swaps all of a person's samples and their template at once. Pass `modelId` when
 * the samples come from a different model than the old ones (after a model update).
 */
export async function replaceSamples(
  key: CryptoKey,
  id: string,
  samples: readonly Float32Array[],
  opts: { modelId?: string; thumbnail?: Blob | null; crops?: readonly (StoredCrop | null)[] } = {},
): Promise<PersonRecord> {
  checkSamples(samples);
  const tmpl = template(samples);
  const now = Date.now();
  const current = await getPerson(key, id);
  if (!current) throw notFound();
  const modelId = opts.modelId ?? current.modelId;
  const fresh = sampleRecords(
    id,
    modelId,
    samples.map((embedding, i) => ({ embedding, createdAt: now, crop: opts.crops?.[i] })),
  );
  const [sealedTemplate, sealedFresh, thumb] = await Promise.all([
    sealTemplate(key, id, tmpl),
    Promise.all(fresh.map((s) => sealSample(key, s))),
    opts.thumbnail !== undefined ? sealThumbnail(key, id, opts.thumbnail) : undefined,
  ]);
  await writeTransaction(['people', 'samples', 'finetune'], async (tx) => {
    const peopleStore = tx.objectStore('people');
    const sampleStore = tx.objectStore('samples');
    const person = await peopleStore.get(id);
    if (!person || !isStoredPerson(person)) throw notFound();
    const updated: StoredPerson = { ...person, modelId, sealed: sealedTemplate, updatedAt: now };
    if (thumb !== undefined) updated.thumb = thumb;
    const oldKeys = await sampleStore.index('by-person').getAllKeys(id);
    await Promise.all([
      ...oldKeys.map((k) => sampleStore.delete(k)),
      ...sealedFresh.map((s) => sampleStore.add(s)),
      peopleStore.put(updated),
      tx.objectStore('finetune').clear(),
    ]);
  });
  const updated: PersonRecord = { ...current, modelId, template: tmpl, updatedAt: now };
  if (opts.thumbnail !== undefined) updated.thumbnail = opts.thumbnail;
  return updated;
}

/** Removes the person and every sample of theirs. Deleting someone already gone is not an error. */
export async function deletePerson(id: string): Promise<void> {
  await writeTransaction(['people', 'samples', 'finetune'], async (tx) => {
    const sampleStore = tx.objectStore('samples');
    const keys = await sampleStore.index('by-person').getAllKeys(id);
    await Promise.all([
      tx.objectStore('finetune').clear(),
      tx.objectStore('people').delete(id),
      ...keys.map((k) => sampleStore.delete(k)),
    ]);
  });
}

/** Forgets every enrolled face and anything fine-tuned on them (settings are kept). */
export async function deleteAll(): Promise<void> {
  await writeTransaction(['people', 'samples', 'finetune'], async (tx) => {
    await Promise.all([
      tx.objectStore('people').clear(),
      tx.objectStore('samples').clear(),
      tx.objectStore('finetune').clear(),
    ]);
  });
}

/**
 * Writes a validated export (parseExport) in one transaction: with `replace`, everyone enrolled
 * now is removed first; without it, a name already enrolled refuses the whole import. Either way
 * a failure leaves the database as it was. Returns how many people were imported.
 */
export async function importData(
  key: CryptoKey,
  parsed: ParsedExport,
  opts: { replace: boolean },
): Promise<number> {
  const records = parsed.people.map((p) => {
    const person: PersonRecord = {
      id: crypto.randomUUID(),
      name: p.name,
      modelId: parsed.modelId,
      template: p.template,
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
      thumbnail: null,
    };
    return { person, samples: sampleRecords(person.id, parsed.modelId, p.samples) };
  });
  const sealed = await Promise.all(
    records.map(async (r) => ({
      person: await sealPerson(key, r.person),
      samples: await Promise.all(r.samples.map((s) => sealSample(key, s))),
    })),
  );
  await writeTransaction(['people', 'samples', 'finetune'], async (tx) => {
    const peopleStore = tx.objectStore('people');
    const sampleStore = tx.objectStore('samples');
    await tx.objectStore('finetune').clear();
    if (opts.replace) {
      await Promise.all([peopleStore.clear(), sampleStore.clear()]);
    } else {
      const existing = new Set((await peopleStore.getAll()).map((p) => nameKey(p.name)));
      const clash = records.find((r) => existing.has(nameKey(r.person.name)));
      if (clash) {
        throw new StoreError(
          `Someone named "${clash.person.name}" is already enrolled; nothing was imported. ` +
            'Rename or delete them first, or choose to replace everyone.',
        );
      }
      // The file's own limit, counted with the people already here.
      if (existing.size + records.length > IMPORT_MAX_PEOPLE) {
        throw new StoreError(
          `${existing.size} people are enrolled and this backup holds ${records.length}; ` +
            `facegate keeps at most ${IMPORT_MAX_PEOPLE} on one device. Nothing was imported.`,
        );
      }
    }
    await Promise.all(
      sealed.flatMap((r) => [
        peopleStore.add(r.person),
        ...r.samples.map((s) => sampleStore.add(s)),
      ]),
    );
  });
  return records.length;
}

/** Everyone as stored before version 4 (plain), for the one-time sealing. */
export async function listLegacy(): Promise<PersonWithSamples[]> {
  const db = await openFacegateDb();
  const [people, samples] = await Promise.all([db.getAll('people'), db.getAll('samples')]);
  return groupSamples(
    people.filter((p): p is LegacyPerson => !isStoredPerson(p)),
    samples.filter((s): s is LegacySample => !isStoredSample(s)),
  );
}

export interface LegacySeal {
  people: StoredPerson[];
  samples: StoredSample[];
  finetune: StoredFinetune | null;
}

/**
 * Every plain record, sealed with `key`, ready to be written over the plain ones (the upgrade
 * from version 3, written by createVault in the same transaction as the key itself).
 */
export async function sealLegacy(key: CryptoKey): Promise<LegacySeal> {
  const legacy = await listLegacy();
  const db = await openFacegateDb();
  const finetune = await db.get('finetune', 'current');
  return {
    people: await Promise.all(legacy.map((p) => sealPerson(key, p.person))),
    samples: await Promise.all(legacy.flatMap((p) => p.samples).map((s) => sealSample(key, s))),
    finetune: finetune && !isStoredFinetune(finetune) ? await sealFinetune(key, finetune) : null,
  };
}

/** Forgets every stored photo (Settings: photos off). Needs no key: nothing is opened. */
export async function dropThumbnails(): Promise<void> {
  await writeTransaction(['people'], async (tx) => {
    const store = tx.objectStore('people');
    const all = await store.getAll();
    await Promise.all(
      all
        .filter(isStoredPerson)
        .map((p) => (p.thumb ? store.put({ ...p, thumb: null }) : Promise.resolve())),
    );
  });
}

/**
 * Forgets every stored face crop (Settings: crops off), keeping the embeddings: each sample is
 * resealed without its crop. The fine-tune stays valid (same samples, same ids).
 */
export async function dropCrops(key: CryptoKey): Promise<void> {
  const db = await openFacegateDb();
  const withCrops = (await db.getAll('samples')).filter(
    (s): s is StoredSample => isStoredSample(s) && s.hasCrop,
  );
  const resealed = await Promise.all(
    withCrops.map(async (s) => {
      const plain = await openSample(key, s);
      delete plain.crop;
      return { before: s.sealed.iv, after: await sealSample(key, plain) };
    }),
  );
  await writeTransaction(['samples'], async (tx) => {
    const store = tx.objectStore('samples');
    // Only samples still exactly as read: one deleted or replaced meanwhile must stay so.
    const current = await Promise.all(resealed.map((r) => store.get(r.after.id)));
    await Promise.all(
      resealed.map((r, i) => {
        const now = current[i];
        return now && isStoredSample(now) && sameBytes(now.sealed.iv, r.before)
          ? store.put(r.after)
          : Promise.resolve();
      }),
    );
  });
}
