import 'fake-indexeddb/auto';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateDataKey } from '../../../src/lib/crypto/seal';
import { normalize } from '../../../src/lib/math/match';
import { resetDbForTests } from '../../../src/lib/store/db';
import {
  clearFinetune,
  finetuneKey,
  getFinetune,
  saveFinetune,
} from '../../../src/lib/store/finetune';
import {
  addPerson,
  deleteAll,
  deletePerson,
  listPeopleWithSamples,
  renamePerson,
  replaceSamples,
} from '../../../src/lib/store/people';
import type { FinetuneRecord } from '../../../src/lib/store/schema';

const MODEL = 'model-a';
let seed = 1;
const unit = () =>
  normalize(Float32Array.from({ length: 8 }, () => (Math.sin(seed++ * 12.9898) * 43758.5453) % 1));

async function currentKey(): Promise<string> {
  const people = await listPeopleWithSamples(key);
  return finetuneKey(
    MODEL,
    people.flatMap((p) => p.samples),
  );
}

function record(samplesKey: string): FinetuneRecord {
  return {
    key: 'current',
    modelId: MODEL,
    samplesKey,
    people: [],
    used: true,
    adapter: { dim: 8, rank: 1, a: new Float32Array(8), b: new Float32Array(8) },
    templates: [],
    guard: {
      accepted: true,
      reason: 'test',
      threshold: 0.4,
      genuine: { count: 1, rejectsBefore: 0, rejectsAfter: 0, meanBefore: 0.5, meanAfter: 0.6 },
      strangers: {
        count: 1,
        acceptsBefore: 0,
        acceptsAfter: 0,
        maxBefore: 0.1,
        maxAfter: 0.1,
        tailBefore: 0.1,
        tailAfter: 0.1,
      },
    },
    createdAt: 1,
    seconds: 2,
    backend: 'cpu',
  };
}

/** The vault's data key; these tests are about the stores, not the passphrase. */
let key: CryptoKey;

beforeAll(async () => {
  key = await generateDataKey();
});

beforeEach(async () => {
  await resetDbForTests();
});

describe('stored fine-tune', () => {
  it('keeps crops with samples and saves a fine-tune made for exactly the current samples', async () => {
    const crop = { width: 2, height: 2, data: new Uint8ClampedArray(16).fill(7) };
    await addPerson(key, {
      name: 'Ann',
      modelId: MODEL,
      samples: [unit(), unit()],
      thumbnail: null,
      crops: [crop, null],
    });
    const [ann] = await listPeopleWithSamples(key);
    expect(ann?.samples[0]?.crop?.data).toEqual(crop.data);
    expect(ann?.samples[1]?.crop).toBeUndefined();
    expect(await saveFinetune(key, record(await currentKey()))).toBe(true);
    const back = await getFinetune(key);
    expect(back?.adapter?.a).toBeInstanceOf(Float32Array);
    await clearFinetune();
    expect(await getFinetune(key)).toBeUndefined();
  });

  it('refuses a fine-tune that finished after the people changed (nothing stale is stored)', async () => {
    await addPerson(key, { name: 'Ann', modelId: MODEL, samples: [unit()], thumbnail: null });
    const stale = await currentKey();
    await addPerson(key, { name: 'Ben', modelId: MODEL, samples: [unit()], thumbnail: null });
    expect(await saveFinetune(key, record(stale))).toBe(false);
    expect(await getFinetune(key)).toBeUndefined();
  });

  it('is removed with any change to the samples, never by a rename', async () => {
    const ann = await addPerson(key, {
      name: 'Ann',
      modelId: MODEL,
      samples: [unit()],
      thumbnail: null,
    });
    const ben = await addPerson(key, {
      name: 'Ben',
      modelId: MODEL,
      samples: [unit()],
      thumbnail: null,
    });
    const save = async () => expect(await saveFinetune(key, record(await currentKey()))).toBe(true);

    await save();
    await renamePerson(ann.id, 'Anna');
    expect(await getFinetune(key)).toBeDefined();

    await replaceSamples(key, ann.id, [unit(), unit()]);
    expect(await getFinetune(key)).toBeUndefined();

    await save();
    await deletePerson(ben.id);
    expect(await getFinetune(key)).toBeUndefined();

    await save();
    await deleteAll();
    expect(await getFinetune(key)).toBeUndefined();
  });

  it('comes back exactly as saved, templates bit-exact and the guard report unchanged', async () => {
    const ann = await addPerson(key, {
      name: 'Ann',
      modelId: MODEL,
      samples: [unit()],
      thumbnail: null,
    });
    const tuned = unit();
    const saved = record(await currentKey());
    saved.people = [{ id: ann.id, name: 'Ann' }];
    saved.templates = [{ personId: ann.id, template: tuned }];
    // What finetune.ts reports when nobody has enough samples to check on: means and maxima of
    // no scores are NaN. The fine-tune is refused but still stored (the app shows why).
    saved.used = false;
    saved.guard = {
      ...saved.guard,
      accepted: false,
      genuine: { count: 0, rejectsBefore: 0, rejectsAfter: 0, meanBefore: NaN, meanAfter: NaN },
      strangers: { ...saved.guard.strangers, maxBefore: NaN, maxAfter: NaN },
    };
    expect(await saveFinetune(key, saved)).toBe(true);
    const back = await getFinetune(key);
    expect(back?.templates[0]?.template).toBeInstanceOf(Float32Array);
    expect(Array.from(new Uint32Array(back!.templates[0]!.template.buffer))).toEqual(
      Array.from(new Uint32Array(tuned.buffer)),
    );
    // Every number stays a number (toEqual treats NaN as equal to NaN, not to null).
    expect(back).toEqual(saved);
  });

  it('the key changes with the model and with any sample, not with their order', () => {
    const a = { id: 's1', personId: 'p1' };
    const b = { id: 's2', personId: 'p2' };
    expect(finetuneKey(MODEL, [a, b])).toBe(finetuneKey(MODEL, [b, a]));
    expect(finetuneKey(MODEL, [a, b])).not.toBe(finetuneKey('model-b', [a, b]));
    expect(finetuneKey(MODEL, [a])).not.toBe(finetuneKey(MODEL, [a, b]));
  });
});
