import 'fake-indexeddb/auto';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { generateDataKey } from '../../../src/lib/crypto/seal';
import { normalize, template } from '../../../src/lib/math/match';
import {
  openFacegateDb,
  resetDbForTests,
  StoreError,
  writeTransaction,
} from '../../../src/lib/store/db';
import {
  addPerson,
  deleteAll,
  deletePerson,
  getPerson,
  getSamples,
  listPeople,
  listPeopleWithSamples,
  renamePerson,
  replaceSamples,
} from '../../../src/lib/store/people';
import { getSetting, getSettings, setSetting } from '../../../src/lib/store/settings';

const MODEL = 'test-model-1';
let seed = 1;

/** Unit vectors with awkward float32 bit patterns, so bit-exactness is really tested. */
function unit(dim = 8): Float32Array {
  const out = new Float32Array(dim);
  for (let i = 0; i < dim; i++) out[i] = Math.sin(seed++ * 12.9898) * 43758.5453 - 0.5;
  return normalize(out);
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

async function counts(): Promise<{ people: number; samples: number }> {
  const db = await openFacegateDb();
  return { people: await db.count('people'), samples: await db.count('samples') };
}

/** The vault's data key; these tests are about the stores, not the passphrase. */
let key: CryptoKey;

beforeAll(async () => {
  key = await generateDataKey();
});

beforeEach(async () => {
  await resetDbForTests();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('addPerson', () => {
  it('stores the person and every sample; embeddings come back as bit-exact Float32Arrays', async () => {
    const samples = [unit(), unit(), unit()];
    const thumbnail = new Blob(['jpeg bytes'], { type: 'image/jpeg' });
    const added = await addPerson(key, { name: '  Ann Lee ', modelId: MODEL, samples, thumbnail });
    expect(added.name).toBe('Ann Lee');

    const people = await listPeople(key);
    expect(people).toHaveLength(1);
    const ann = await getPerson(key, added.id);
    expect(ann?.template).toBeInstanceOf(Float32Array);
    expect(bits(ann!.template)).toEqual(bits(template(samples)));
    expect(ann?.modelId).toBe(MODEL);
    expect(await ann?.thumbnail?.text()).toBe('jpeg bytes');
    expect(ann?.thumbnail?.type).toBe('image/jpeg');

    const stored = await getSamples(key, added.id);
    expect(stored.map((s) => s.embedding)).toHaveLength(3);
    stored.forEach((s, i) => {
      expect(s.embedding).toBeInstanceOf(Float32Array);
      expect(bits(s.embedding)).toEqual(bits(samples[i]!)); // and in enrolment order
      expect(s.personId).toBe(added.id);
      expect(s.modelId).toBe(MODEL);
    });
  });

  it('refuses a duplicate name, case-insensitively and after trimming', async () => {
    await addPerson(key, { name: 'Ann', modelId: MODEL, samples: [unit()], thumbnail: null });
    const again = addPerson(key, {
      name: ' aNN ',
      modelId: MODEL,
      samples: [unit()],
      thumbnail: null,
    });
    await expect(again).rejects.toThrow(StoreError);
    await expect(
      addPerson(key, { name: 'ANN', modelId: MODEL, samples: [unit()], thumbnail: null }),
    ).rejects.toThrow(/already enrolled/);
    expect(await counts()).toEqual({ people: 1, samples: 1 });
  });

  it('refuses empty and over-long names', async () => {
    const add = (name: string) =>
      addPerson(key, { name, modelId: MODEL, samples: [unit()], thumbnail: null });
    await expect(add('   ')).rejects.toThrow(/name is required/);
    await expect(add('x'.repeat(61))).rejects.toThrow(/at most 60/);
    await expect(add('x'.repeat(60))).resolves.toBeDefined();
  });

  it('refuses bad samples before writing anything', async () => {
    const add = (samples: Float32Array[]) =>
      addPerson(key, { name: 'Bad', modelId: MODEL, samples, thumbnail: null });
    await expect(add([])).rejects.toThrow(/At least one/);
    await expect(add([unit(), unit(4)])).rejects.toThrow(/sample 2 has 4 values/);
    await expect(add([unit(), unit().map((x) => 2 * x)])).rejects.toThrow(/unit length/);
    const notFloat32 = Array.from(unit()) as unknown as Float32Array;
    await expect(add([unit(), notFloat32])).rejects.toThrow(/not a Float32Array/);
    expect(await counts()).toEqual({ people: 0, samples: 0 });
  });

  it('is atomic: a write failing midway leaves nothing behind', async () => {
    // The second and third samples get the same id, so the third add fails inside the
    // transaction after the person and two samples were already written.
    const ids = ['p-1', 's-1', 's-2', 's-2'];
    vi.spyOn(crypto, 'randomUUID').mockImplementation(
      () => ids.shift() as `${string}-${string}-${string}-${string}-${string}`,
    );
    await expect(
      addPerson(key, {
        name: 'Ann',
        modelId: MODEL,
        samples: [unit(), unit(), unit()],
        thumbnail: null,
      }),
    ).rejects.toMatchObject({ name: 'ConstraintError' });
    expect(ids).toEqual([]); // the failure really came after the earlier writes
    expect(await counts()).toEqual({ people: 0, samples: 0 });
  });
});

describe('rename, replace, delete', () => {
  it('renames, keeping names unique', async () => {
    const ann = await addPerson(key, {
      name: 'Ann',
      modelId: MODEL,
      samples: [unit()],
      thumbnail: null,
    });
    await addPerson(key, { name: 'Bob', modelId: MODEL, samples: [unit()], thumbnail: null });
    await expect(renamePerson(ann.id, ' Anna ')).resolves.toBeUndefined();
    const anna = await getPerson(key, ann.id);
    expect(anna?.name).toBe('Anna');
    // Only the name changes: the sealed template still opens (it is sealed under the id).
    expect(bits(anna!.template)).toEqual(bits(ann.template));
    await expect(renamePerson(ann.id, 'bob')).rejects.toThrow(/already enrolled/);
    expect((await getPerson(key, ann.id))?.name).toBe('Anna');
    await renamePerson(ann.id, 'ANNA');
    expect((await getPerson(key, ann.id))?.name).toBe('ANNA');
    await expect(renamePerson('missing', 'Zed')).rejects.toThrow(StoreError);
    expect((await listPeople(key)).map((p) => p.name)).toEqual(['ANNA', 'Bob']);
  });

  it('replaceSamples swaps every sample and the template at once', async () => {
    const ann = await addPerson(key, {
      name: 'Ann',
      modelId: MODEL,
      samples: [unit(), unit()],
      thumbnail: null,
    });
    const bob = await addPerson(key, {
      name: 'Bob',
      modelId: MODEL,
      samples: [unit()],
      thumbnail: null,
    });
    const fresh = [unit(), unit(), unit()];
    const updated = await replaceSamples(key, ann.id, fresh, { modelId: 'test-model-2' });
    expect(updated.modelId).toBe('test-model-2');
    expect(bits((await getPerson(key, ann.id))!.template)).toEqual(bits(template(fresh)));
    const stored = await getSamples(key, ann.id);
    expect(stored.map((s) => bits(s.embedding))).toEqual(fresh.map(bits));
    expect(stored.every((s) => s.modelId === 'test-model-2')).toBe(true);
    expect(await getSamples(key, bob.id)).toHaveLength(1);
    expect(await counts()).toEqual({ people: 2, samples: 4 });
    await expect(replaceSamples(key, 'missing', fresh)).rejects.toThrow(StoreError);
    await expect(replaceSamples(key, ann.id, [])).rejects.toThrow(StoreError);
    expect(await getSamples(key, ann.id)).toHaveLength(3);
  });

  it('deletePerson removes the person and every one of their samples', async () => {
    const ann = await addPerson(key, {
      name: 'Ann',
      modelId: MODEL,
      samples: [unit(), unit(), unit()],
      thumbnail: null,
    });
    const bob = await addPerson(key, {
      name: 'Bob',
      modelId: MODEL,
      samples: [unit()],
      thumbnail: null,
    });
    await deletePerson(ann.id);
    expect(await getPerson(key, ann.id)).toBeUndefined();
    expect(await getSamples(key, ann.id)).toEqual([]);
    expect(await counts()).toEqual({ people: 1, samples: 1 });
    await deletePerson(ann.id); // already gone: no error
    const all = await listPeopleWithSamples(key);
    expect(all.map((p) => [p.person.id, p.samples.length])).toEqual([[bob.id, 1]]);
  });

  it('deleteAll forgets everyone but keeps settings', async () => {
    await addPerson(key, { name: 'Ann', modelId: MODEL, samples: [unit()], thumbnail: null });
    await addPerson(key, {
      name: 'Bob',
      modelId: MODEL,
      samples: [unit(), unit()],
      thumbnail: null,
    });
    await setSetting('firstRunDone', true);
    await deleteAll();
    expect(await counts()).toEqual({ people: 0, samples: 0 });
    expect(await getSetting('firstRunDone')).toBe(true);
  });
});

describe('storage errors', () => {
  it('a full disk becomes a clear StoreError and the transaction is rolled back', async () => {
    const attempt = writeTransaction(['people', 'settings'], async (tx) => {
      await tx.objectStore('settings').put({ key: 'firstRunDone', value: true });
      // What a browser reports when the write does not fit (from the request or at commit).
      throw new DOMException('quota', 'QuotaExceededError');
    });
    await expect(attempt).rejects.toThrow(StoreError);
    await expect(attempt).rejects.toThrow(
      'The device is out of storage space; nothing was saved. Free some space and try again.',
    );
    expect(await getSetting('firstRunDone')).toBe(false);
  });

  it('other errors pass through unchanged', async () => {
    const boom = new Error('boom');
    await expect(writeTransaction(['people'], () => Promise.reject(boom))).rejects.toBe(boom);
  });
});

describe('settings', () => {
  it('returns defaults, then stored values, and refuses invalid ones', async () => {
    // toMatchObject: settings.ts is gaining keys in parallel work (keepCrops); these are the
    // defaults this test is about.
    expect(await getSettings()).toMatchObject({
      securityLevel: 'far_1e-4',
      storeThumbnails: true,
      firstRunDone: false,
      lockTimeoutSeconds: 60,
      autoFinetune: true,
    });
    await setSetting('securityLevel', 'far_1e-5');
    await setSetting('lockTimeoutSeconds', 30);
    expect(await getSetting('securityLevel')).toBe('far_1e-5');
    expect(await getSetting('lockTimeoutSeconds')).toBe(30);
    await expect(setSetting('lockTimeoutSeconds', -1)).rejects.toThrow(StoreError);
    await expect(setSetting('securityLevel', 'far_1e-9' as unknown as 'far_1e-3')).rejects.toThrow(
      StoreError,
    );
  });

  it('falls back to the default for a stored value it cannot read', async () => {
    const db = await openFacegateDb();
    await db.put('settings', { key: 'storeThumbnails', value: 'yes' });
    expect(await getSetting('storeThumbnails')).toBe(true);
  });
});
