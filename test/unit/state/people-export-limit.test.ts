import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { normalize } from '../../../src/lib/math/match';
import type { EngineInfo } from '../../../src/lib/pipeline/frame-pipeline.svelte';
import { createOwners } from '../../../src/lib/state/owners';
import type { FaceModel } from '../../../src/lib/state/people.svelte';
import { resetDbForTests } from '../../../src/lib/store/db';
import { addPerson } from '../../../src/lib/store/people';
import { FakeAddress } from './fake-address';

/**
 * Export never writes a file the import would refuse. The real limit takes ~1,350 people of four
 * views to pass; a small one here (the same code reads it) takes five.
 */
vi.mock('../../../src/lib/store/export-seal', async (original) => ({
  ...(await original<typeof import('../../../src/lib/store/export-seal')>()),
  IMPORT_MAX_BYTES: 64 * 1024,
}));

const MODEL = 'model-export-limit';
const DIM = 512;
const PASS = 'correct horse battery';
const FILE_PASS = 'file passphrase here';
let seed = 1;

function unit(): Float32Array {
  const out = new Float32Array(DIM);
  for (let i = 0; i < DIM; i++) out[i] = Math.sin(seed++ * 12.9898) * 43758.5453 - 0.5;
  return normalize(out);
}

const MODEL_STUB: FaceModel = {
  engine: { manifest: { id: MODEL, embedding: { dim: DIM } } } as unknown as EngineInfo,
  ensureEngine: () => Promise.resolve(MODEL_STUB.engine),
  startFinetune: () => Promise.resolve(),
};

beforeEach(async () => {
  await resetDbForTests();
});

describe('export size', () => {
  it('a backup over the import limit is not made, and the notice says why', async () => {
    const { settings, vault, access, people, notices } = createOwners(new FakeAddress('#/people'));
    await settings.load();
    await vault.refresh();
    expect(await access.createVault(PASS, PASS)).toBeNull();
    people.useModel(MODEL_STUB);
    const key = vault.key();
    const add = (name: string) =>
      addPerson(key, {
        name,
        modelId: MODEL,
        samples: [unit(), unit(), unit(), unit()],
        thumbnail: null,
      });

    // Three people: ~55 KiB sealed, under the 64 KiB limit.
    for (const name of ['Ann', 'Bob', 'Cy']) await add(name);
    const file = await people.exportPeople(FILE_PASS, FILE_PASS);
    expect(file?.text.length).toBeLessThan(64 * 1024);
    expect(notices.text).toBeNull();

    // Five: ~91 KiB.
    for (const name of ['Dee', 'Eve']) await add(name);
    expect(await people.exportPeople(FILE_PASS, FILE_PASS)).toBeNull();
    expect(notices.text).toBe(
      'The backup would be 0.1 MB, more than facegate can import (0.0625 MB); nothing was exported.',
    );
  });
});
