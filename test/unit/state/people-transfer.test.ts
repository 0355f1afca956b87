import 'fake-indexeddb/auto';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { normalize, template } from '../../../src/lib/math/match';
import type { EngineInfo } from '../../../src/lib/pipeline/frame-pipeline.svelte';
import { createOwners } from '../../../src/lib/state/owners';
import type { FaceModel, People } from '../../../src/lib/state/people.svelte';
import type { Notices } from '../../../src/lib/state/notices.svelte';
import { resetDbForTests } from '../../../src/lib/store/db';
import { exportData, IMPORT_MAX_PEOPLE } from '../../../src/lib/store/export-format';
import type { ExportFileV1 } from '../../../src/lib/store/export-format';
import { IMPORT_MAX_BYTES, sealExport } from '../../../src/lib/store/export-seal';
import { countPeople } from '../../../src/lib/store/people';
import type { PersonWithSamples } from '../../../src/lib/store/schema';
import { FakeAddress } from './fake-address';

/**
 * Importing through the People owner, as the screen does: a plain (version 1) and an encrypted
 * (version 2) file with the same contents are refused in the same words, and an error nobody wrote
 * for the user never shows its own text.
 */

const MODEL = 'model-transfer';
// The shipped model's size, four views each: a 1,001-person file is then as large as a real one
// (~18 MB sealed), whose base64 once overflowed the stack and said so to the user.
const DIM = 512;
const VIEWS = 4;
const VAULT_PASS = 'correct horse battery';
const FILE_PASS = 'file passphrase here';
let seed = 1;

function unit(): Float32Array {
  const out = new Float32Array(DIM);
  for (let i = 0; i < DIM; i++) out[i] = Math.sin(seed++ * 12.9898) * 43758.5453 - 0.5;
  return normalize(out);
}

function person(i: number): PersonWithSamples {
  const samples = Array.from({ length: VIEWS }, unit);
  const id = `p${i}`;
  return {
    person: {
      id,
      name: `Person ${i}`,
      modelId: MODEL,
      template: template(samples),
      createdAt: 1,
      updatedAt: 2,
      thumbnail: null,
    },
    samples: samples.map((embedding, j) => ({
      id: `${id}-${j}`,
      personId: id,
      modelId: MODEL,
      embedding,
      createdAt: 3,
    })),
  };
}

const MODEL_STUB: FaceModel = {
  engine: { manifest: { id: MODEL, embedding: { dim: DIM } } } as unknown as EngineInfo,
  ensureEngine: () => Promise.resolve(MODEL_STUB.engine),
  startFinetune: () => Promise.resolve(),
};

let people: People;
let notices: Notices;

/** The notice an import of `text` leaves, and that nothing was written. */
async function importNotice(text: string | Blob, passphrase = FILE_PASS): Promise<string> {
  notices.dismiss();
  const count = await people.importPeople(
    typeof text === 'string' ? new Blob([text]) : text,
    passphrase,
    false,
  );
  expect(count).toBe(0);
  expect(await countPeople()).toBe(0);
  return notices.text ?? '';
}

let tooMany: string;

beforeAll(() => {
  tooMany = exportData(
    Array.from({ length: IMPORT_MAX_PEOPLE + 1 }, (_, i) => person(i)),
    MODEL,
    5,
  );
});

afterEach(() => {
  vi.restoreAllMocks();
});

beforeEach(async () => {
  await resetDbForTests();
  const owners = createOwners(new FakeAddress('#/people'));
  await owners.settings.load();
  await owners.vault.refresh();
  expect(await owners.access.createVault(VAULT_PASS, VAULT_PASS)).toBeNull();
  owners.people.useModel(MODEL_STUB);
  ({ people, notices } = owners);
});

describe('import refusals: plain and encrypted alike', () => {
  it(`${IMPORT_MAX_PEOPLE + 1} people: the people limit, in the same words`, async () => {
    const plain = await importNotice(tooMany, '');
    const sealed = await importNotice(await sealExport(tooMany, FILE_PASS));
    expect(plain).toBe(
      `Nothing was imported: This backup holds ${IMPORT_MAX_PEOPLE + 1} people; facegate keeps at most ${IMPORT_MAX_PEOPLE} on one device.`,
    );
    expect(sealed).toBe(plain);
  });

  it('a file over the byte limit: the same words, before it is read', async () => {
    // JSON allows trailing whitespace: both files stay valid backups, one byte over the limit.
    const over = (text: string) => new Blob([text, ' '.repeat(IMPORT_MAX_BYTES + 1 - text.length)]);
    const small = exportData([person(0)], MODEL, 5);
    const plain = await importNotice(over(small), '');
    const sealed = await importNotice(over(await sealExport(small, FILE_PASS)));
    expect(plain).toMatch(/^Nothing was imported: the file is 24\.0 MB, more than .* \(24 MB\)\.$/);
    expect(sealed).toBe(plain);
  });

  it('every other refusal of the contents reads the same for both', async () => {
    const edits: ((f: ExportFileV1) => void)[] = [
      (f) => (f.modelId = 'another-model'),
      (f) => (f.people[0]!.template = f.people[1]!.template),
      (f) => (f.people[1]!.samples[0]!.embedding = 'not base64!'),
      (f) => (f.people[1]!.name = f.people[0]!.name),
      (f) => (f.version = 7 as 1),
    ];
    for (const edit of edits) {
      const file = JSON.parse(exportData([person(1), person(2)], MODEL, 5)) as ExportFileV1;
      edit(file);
      const text = JSON.stringify(file);
      const plain = await importNotice(text, '');
      expect(plain).toMatch(/^Nothing was imported: /);
      expect(await importNotice(await sealExport(text, FILE_PASS))).toBe(plain);
    }
  });
});

describe('import errors nobody wrote for the user', () => {
  it('show as "could not be read", never their own text, and write nothing', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const failing = (error: Error) =>
      ({ size: 100, text: () => Promise.reject(error) }) as unknown as Blob;
    for (const error of [
      new RangeError('Maximum call stack size exceeded'),
      new DOMException('The operation failed for an operation-specific reason', 'OperationError'),
      new TypeError("Cannot read properties of undefined (reading 'people')"),
    ]) {
      const notice = await importNotice(failing(error));
      expect(notice).toBe('Nothing was imported: the file could not be read.');
    }
    // The details go to the console, for whoever debugs it.
    expect(logged).toHaveBeenCalledTimes(3);
  });

  it('a good file still imports after them', async () => {
    const text = await sealExport(exportData([person(3), person(4)], MODEL, 5), FILE_PASS);
    expect(await people.importPeople(new Blob([text]), FILE_PASS, false)).toBe(2);
    expect(notices.text).toBe('Imported 2 people.');
    expect(await countPeople()).toBe(2);
  });
});
