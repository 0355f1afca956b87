import 'fake-indexeddb/auto';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { generateDataKey } from '../../../src/lib/crypto/seal';
import { normalize } from '../../../src/lib/math/match';
import { resetDbForTests, StoreError } from '../../../src/lib/store/db';
import {
  base64ToFloat32,
  exportData,
  ExportError,
  float32ToBase64,
  IMPORT_MAX_PEOPLE,
  ImportError,
  parseExport,
} from '../../../src/lib/store/export-format';
import type { ExportFileV1 } from '../../../src/lib/store/export-format';
import {
  addPerson,
  importData,
  listPeopleWithSamples,
  replaceSamples,
} from '../../../src/lib/store/people';

const MODEL = 'test-model-1';
const DIM = 8;
const EXPECTED = { modelId: MODEL, dim: DIM };
let seed = 1;

function unit(dim = DIM): Float32Array {
  const out = new Float32Array(dim);
  for (let i = 0; i < dim; i++) out[i] = Math.sin(seed++ * 78.233) * 43758.5453 - 0.5;
  return normalize(out);
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

async function snapshot(): Promise<string> {
  return exportData(await listPeopleWithSamples(key), MODEL, 0);
}

async function enrolTwo(): Promise<void> {
  await addPerson(key, {
    name: 'Ann',
    modelId: MODEL,
    samples: [unit(), unit(), unit()],
    thumbnail: null,
  });
  await addPerson(key, {
    name: 'Bob',
    modelId: MODEL,
    samples: [unit(), unit()],
    thumbnail: new Blob(['photo']),
  });
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

describe('base64 of float32', () => {
  it('is little-endian float32 bytes', () => {
    expect(float32ToBase64(Float32Array.of(1))).toBe('AACAPw==');
    expect(Array.from(base64ToFloat32('AACAPw==') as Float32Array)).toEqual([1]);
  });

  it('round-trips awkward values bit for bit', () => {
    const v = Float32Array.of(-0, 1e-45, 3.4028234663852886e38, -1.1754943508222875e-38, 0.1);
    expect(bits(base64ToFloat32(float32ToBase64(v)) as Float32Array)).toEqual(bits(v));
  });

  it('is strict', () => {
    expect(base64ToFloat32('AACAPw')).toEqual({ problem: 'is not valid base64' });
    expect(base64ToFloat32('AACA Pw==')).toEqual({ problem: 'is not valid base64' });
    expect(base64ToFloat32('AAA=')).toEqual({ problem: 'is not a whole number of 32-bit floats' });
  });
});

describe('export / import round trip', () => {
  it('is bit-exact and leaves thumbnails out', async () => {
    await enrolTwo();
    const before = await listPeopleWithSamples(key);
    const text = exportData(before, MODEL, 1234);
    expect(text).not.toMatch(/thumbnail/);
    const file = JSON.parse(text) as ExportFileV1;
    expect(file).toMatchObject({ format: 'facegate-export', version: 1, modelId: MODEL });
    expect(file.exportedAt).toBe(1234);

    const parsed = parseExport(text, EXPECTED);
    expect(await importData(key, parsed, { replace: true })).toBe(2);
    const after = await listPeopleWithSamples(key);

    expect(after.map((p) => p.person.name)).toEqual(['Ann', 'Bob']);
    after.forEach((p, i) => {
      const b = before[i]!;
      expect(p.person.template).toBeInstanceOf(Float32Array);
      expect(bits(p.person.template)).toEqual(bits(b.person.template));
      expect(p.person.createdAt).toBe(b.person.createdAt);
      expect(p.person.updatedAt).toBe(b.person.updatedAt);
      expect(p.person.thumbnail).toBeNull();
      expect(p.samples.map((s) => bits(s.embedding))).toEqual(
        b.samples.map((s) => bits(s.embedding)),
      );
    });
    expect(exportData(after, MODEL, 1234)).toBe(text);
  });

  it('keeps sample poses', async () => {
    await enrolTwo();
    const file = JSON.parse(await snapshot()) as ExportFileV1;
    file.people[0]!.samples[1]!.pose = 'left';
    const parsed = parseExport(JSON.stringify(file), EXPECTED);
    await importData(key, parsed, { replace: true });
    const [ann] = await listPeopleWithSamples(key);
    expect(ann?.samples.map((s) => s.pose)).toEqual([undefined, 'left', undefined]);
  });

  it('merges into an existing set without replace', async () => {
    await addPerson(key, { name: 'Cy', modelId: MODEL, samples: [unit()], thumbnail: null });
    const cy = await snapshot();
    await resetDbForTests();
    await enrolTwo();
    await importData(key, parseExport(cy, EXPECTED), { replace: false });
    expect((await listPeopleWithSamples(key)).map((p) => p.person.name)).toEqual([
      'Ann',
      'Bob',
      'Cy',
    ]);
  });

  it('refuses to export people enrolled with another model', async () => {
    const ann = await addPerson(key, {
      name: 'Ann',
      modelId: MODEL,
      samples: [unit()],
      thumbnail: null,
    });
    await replaceSamples(key, ann.id, [unit()], { modelId: 'old-model' });
    await expect(listPeopleWithSamples(key).then((p) => exportData(p, MODEL))).rejects.toThrow(
      ExportError,
    );
  });
});

describe('parseExport refusals', () => {
  let valid: ExportFileV1;

  beforeEach(async () => {
    await enrolTwo();
    valid = JSON.parse(await snapshot()) as ExportFileV1;
  });

  /** Parses a modified copy of the valid file; returns the ImportError message. */
  function refusal(edit: (f: ExportFileV1 & Record<string, unknown>) => void): string {
    const copy = structuredClone(valid) as ExportFileV1 & Record<string, unknown>;
    edit(copy);
    return message(JSON.stringify(copy));
  }

  function message(text: string): string {
    try {
      parseExport(text, EXPECTED);
    } catch (e) {
      expect(e).toBeInstanceOf(ImportError);
      return (e as ImportError).message;
    }
    throw new Error('expected a refusal');
  }

  const ann = (f: ExportFileV1) => f.people[0]!;
  const annSample = (f: ExportFileV1) => f.people[0]!.samples[0]!;

  it('accepts the unmodified file', () => {
    expect(parseExport(JSON.stringify(valid), EXPECTED).people).toHaveLength(2);
  });

  it('refuses what is not a facegate backup', () => {
    expect(message('{"format": ')).toMatch(/not a facegate backup \(it is not valid JSON\)/);
    expect(message('[]')).toBe('This file is not a facegate backup.');
    expect(refusal((f) => (f.format = 'other' as 'facegate-export'))).toBe(
      'This file is not a facegate backup.',
    );
  });

  it('refuses more people than one device keeps, before reading any of them', () => {
    const many = refusal((f) => {
      const first = f.people[0]!;
      f.people = Array.from({ length: IMPORT_MAX_PEOPLE + 1 }, (_, i) => ({
        ...first,
        name: `Person ${i}`,
      }));
    });
    expect(many).toBe(
      `This backup holds ${IMPORT_MAX_PEOPLE + 1} people; facegate keeps at most ${IMPORT_MAX_PEOPLE} on one device.`,
    );
  });

  it('refuses other format versions', () => {
    expect(refusal((f) => (f.version = 2 as 1))).toMatch(/newer version of facegate \(format 2\)/);
    expect(refusal((f) => (f.version = '1' as unknown as 1))).toMatch(/unknown format version/);
    expect(refusal((f) => delete (f as Partial<ExportFileV1>).version)).toMatch(/unknown format/);
  });

  it('refuses a file made with another model', () => {
    expect(refusal((f) => (f.modelId = 'other-model'))).toBe(
      'This file was made with another face model (other-model); it cannot be used with this one (test-model-1).',
    );
    expect(refusal((f) => (f.modelId = 7 as unknown as string))).toMatch(/which face model/);
  });

  it('refuses bad base64 and byte counts', () => {
    expect(refusal((f) => (annSample(f).embedding = 'not base64!'))).toBe(
      'Sample 1 of Person 1 ("Ann") is not valid base64.',
    );
    expect(refusal((f) => (ann(f).template = 'AAA='))).toBe(
      'The template of Person 1 ("Ann") is not a whole number of 32-bit floats.',
    );
    expect(
      refusal((f) => delete (ann(f) as Partial<ExportFileV1['people'][number]>).template),
    ).toMatch(/is missing/);
  });

  it('refuses the wrong dimension, non-finite and non-unit embeddings', () => {
    expect(refusal((f) => (annSample(f).embedding = float32ToBase64(unit(4))))).toBe(
      'Sample 1 of Person 1 ("Ann") has 4 values instead of 8.',
    );
    const nan = unit();
    nan[3] = Number.NaN;
    expect(refusal((f) => (annSample(f).embedding = float32ToBase64(nan)))).toMatch(/not finite/);
    const long = unit().map((x) => x * 1.01);
    expect(refusal((f) => (annSample(f).embedding = float32ToBase64(long)))).toMatch(
      /Sample 1 of Person 1 \("Ann"\) is not unit length \(norm 1.0100\)/,
    );
  });

  it('refuses a template that does not match its samples', () => {
    expect(refusal((f) => (ann(f).template = float32ToBase64(unit())))).toBe(
      'The template of Person 1 ("Ann") does not match their samples.',
    );
  });

  it('refuses invalid or repeated names, dates and empty sample lists', () => {
    expect(refusal((f) => (ann(f).name = '  '))).toBe('Person 1: A name is required.');
    expect(refusal((f) => (ann(f).name = 'x'.repeat(61)))).toMatch(/at most 60/);
    expect(refusal((f) => (f.people[1]!.name = ' ANN'))).toBe(
      'The name "ANN" appears twice in this backup.',
    );
    expect(refusal((f) => (ann(f).createdAt = -1))).toMatch(/invalid date/);
    expect(refusal((f) => (annSample(f).createdAt = Number.NaN))).toMatch(/invalid date/);
    expect(refusal((f) => (ann(f).samples = []))).toBe('Person 1 ("Ann") has no face samples.');
    expect(refusal((f) => (f.people = {} as ExportFileV1['people']))).toMatch(/no list of people/);
  });

  it('changes nothing in the database when it refuses', async () => {
    const before = await snapshot();
    expect(refusal((f) => (f.modelId = 'other-model'))).toMatch(/another face model/);
    expect(await snapshot()).toBe(before);
  });
});

describe('importData atomicity', () => {
  it('a name clash without replace imports nothing', async () => {
    await enrolTwo();
    const before = await snapshot();
    const file = JSON.parse(before) as ExportFileV1;
    file.people[0]!.name = 'Dee'; // new
    file.people[1]!.name = 'bob'; // clashes with Bob
    const parsed = parseExport(JSON.stringify(file), EXPECTED);
    await expect(importData(key, parsed, { replace: false })).rejects.toThrow(StoreError);
    await expect(importData(key, parsed, { replace: false })).rejects.toThrow(
      /"bob" is already enrolled/,
    );
    expect(await snapshot()).toBe(before);
  });

  it('refuses, writing nothing, when the people here and in the backup exceed the limit together', async () => {
    await enrolTwo();
    const before = await snapshot();
    const one = parseExport(before, EXPECTED).people[0]!;
    const many = Array.from({ length: IMPORT_MAX_PEOPLE - 1 }, (_, i) => ({
      ...one,
      name: `P${i}`,
    }));
    const parsed = { modelId: MODEL, exportedAt: 1, people: many };
    await expect(importData(key, parsed, { replace: false })).rejects.toThrow(
      /2 people are enrolled and this backup holds 999; facegate keeps at most 1000/,
    );
    expect(await snapshot()).toBe(before);
    // Replacing everyone, the same file fits.
    await expect(importData(key, parsed, { replace: true })).resolves.toBe(999);
  });

  it('a replace that fails midway restores everyone it had cleared', async () => {
    await enrolTwo();
    const before = await snapshot();
    const parsed = parseExport(before, EXPECTED);
    // Duplicate sample ids make the last add fail after the clear and the earlier adds.
    let n = 0;
    vi.spyOn(crypto, 'randomUUID').mockImplementation(
      () => `00000000-0000-4000-8000-${String(Math.min(++n, 6)).padStart(12, '0')}` as const,
    );
    await expect(importData(key, parsed, { replace: true })).rejects.toMatchObject({
      name: 'ConstraintError',
    });
    vi.restoreAllMocks();
    expect(await snapshot()).toBe(before);
  });
});
