/**
 * Enrolled people and their samples. Every write that touches both stores is one transaction,
 * so a person never exists without their samples, nor samples without their person.
 */

import { template } from '../math/match';
import { openFacegateDb, StoreError, writeTransaction } from './db';
import type { ParsedExport } from './export-format';
import { checkName, embeddingProblem, nameKey } from './schema';
import type { PersonRecord, PersonWithSamples, SampleRecord, StoredCrop } from './schema';

export interface NewPerson {
  name: string;
  modelId: string;
  samples: readonly Float32Array[];
  thumbnail: Blob | null;
  /** The aligned crop of each sample (same order), kept for on-device fine-tuning. */
  crops?: readonly (StoredCrop | null)[];
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
  people: { getAll(): Promise<PersonRecord[]> },
  name: string,
  exceptId: string | null,
): Promise<void> {
  const key = nameKey(name);
  const all = await people.getAll();
  if (all.some((p) => p.id !== exceptId && nameKey(p.name) === key)) throw nameTaken(name);
}

export async function addPerson(input: NewPerson): Promise<PersonRecord> {
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
  await writeTransaction(['people', 'samples', 'finetune'], async (tx) => {
    const peopleStore = tx.objectStore('people');
    const sampleStore = tx.objectStore('samples');
    await assertNameFree(peopleStore, name, null);
    await Promise.all([
      peopleStore.add(person),
      ...samples.map((s) => sampleStore.add(s)),
      tx.objectStore('finetune').clear(),
    ]);
  });
  return person;
}

/** Everyone, sorted by name for display. */
export async function listPeople(): Promise<PersonRecord[]> {
  const db = await openFacegateDb();
  const all = await db.getAll('people');
  return all.sort((a, b) => a.name.localeCompare(b.name));
}

export async function getPerson(id: string): Promise<PersonRecord | undefined> {
  const db = await openFacegateDb();
  return db.get('people', id);
}

/** A person's samples, in the order they were enrolled. */
export async function getSamples(personId: string): Promise<SampleRecord[]> {
  const db = await openFacegateDb();
  return db.getAllFromIndex('samples', 'by-person', personId);
}

/** Everyone with their samples, read in one transaction so the snapshot is consistent (export). */
export async function listPeopleWithSamples(): Promise<PersonWithSamples[]> {
  const db = await openFacegateDb();
  const tx = db.transaction(['people', 'samples'], 'readonly');
  const [people, samples] = await Promise.all([
    tx.objectStore('people').getAll(),
    tx.objectStore('samples').index('by-person').getAll(),
    tx.done,
  ]);
  const byPerson = new Map<string, SampleRecord[]>();
  for (const s of samples) {
    const list = byPerson.get(s.personId) ?? [];
    list.push(s);
    byPerson.set(s.personId, list);
  }
  return people
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((person) => ({ person, samples: byPerson.get(person.id) ?? [] }));
}

function notFound(): StoreError {
  return new StoreError('This person is no longer enrolled (deleted in another tab?).');
}

export async function renamePerson(id: string, newName: string): Promise<PersonRecord> {
  const name = validName(newName);
  return writeTransaction(['people'], async (tx) => {
    const store = tx.objectStore('people');
    const person = await store.get(id);
    if (!person) throw notFound();
    await assertNameFree(store, name, id);
    const updated: PersonRecord = { ...person, name, updatedAt: Date.now() };
    await store.put(updated);
    return updated;
  });
}

/**
 * Re-enrolment: swaps all of a person's samples and their template at once. Pass `modelId` when
 * the samples come from a different model than the old ones (after a model update).
 */
export async function replaceSamples(
  id: string,
  samples: readonly Float32Array[],
  opts: { modelId?: string; thumbnail?: Blob | null; crops?: readonly (StoredCrop | null)[] } = {},
): Promise<PersonRecord> {
  checkSamples(samples);
  const tmpl = template(samples);
  const now = Date.now();
  return writeTransaction(['people', 'samples', 'finetune'], async (tx) => {
    const peopleStore = tx.objectStore('people');
    const sampleStore = tx.objectStore('samples');
    const person = await peopleStore.get(id);
    if (!person) throw notFound();
    const modelId = opts.modelId ?? person.modelId;
    const updated: PersonRecord = { ...person, modelId, template: tmpl, updatedAt: now };
    if (opts.thumbnail !== undefined) updated.thumbnail = opts.thumbnail;
    const oldKeys = await sampleStore.index('by-person').getAllKeys(id);
    const fresh = sampleRecords(
      id,
      modelId,
      samples.map((embedding, i) => ({ embedding, createdAt: now, crop: opts.crops?.[i] })),
    );
    await Promise.all([
      ...oldKeys.map((k) => sampleStore.delete(k)),
      ...fresh.map((s) => sampleStore.add(s)),
      peopleStore.put(updated),
      tx.objectStore('finetune').clear(),
    ]);
    return updated;
  });
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
    }
    await Promise.all(
      records.flatMap((r) => [
        peopleStore.add(r.person),
        ...r.samples.map((s) => sampleStore.add(s)),
      ]),
    );
  });
  return records.length;
}
