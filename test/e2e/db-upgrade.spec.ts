import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, launchProfile, test } from './fixtures.ts';
import { fakeCamera } from './paths.ts';

const MODEL_ID = (
  JSON.parse(readFileSync(resolve(import.meta.dirname, '../../models/manifest.json'), 'utf8')) as {
    id: string;
  }
).id;

/** The version this build's MIGRATIONS ends at (src/lib/store/db.ts). */
const CURRENT_VERSION = 3;

/**
 * A unit vector of 512 float32 values with awkward bit patterns, as plain numbers: each is a
 * float32 value exactly, so the page rebuilds the same bits from them.
 */
function unitEmbedding(dim = 512): number[] {
  const raw = Array.from({ length: dim }, (_, i) => (Math.sin((i + 1) * 12.9898) * 43758.5453) % 1);
  const n = Math.hypot(...raw);
  return Array.from(Float32Array.from(raw, (x) => x / n));
}

test('a version-1 database made by hand upgrades with its data intact', async ({ baseURL }) => {
  const origin = new URL(baseURL ?? 'http://localhost').origin;
  const profile = mkdtempSync(join(tmpdir(), 'facegate-profile-'));
  const { context, check } = await launchProfile(profile, fakeCamera('one-face'), origin);
  const embedding = unitEmbedding();
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    // Same origin, but not the app: nothing opens the database before the test builds it.
    await page.goto('/manifest.webmanifest');

    // Version 1 exactly as it shipped, with the raw IndexedDB API and none of the app's code.
    await page.evaluate(
      async ({ modelId, values }) => {
        const vector = Float32Array.from(values);
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const req = indexedDB.open('facegate', 1);
          req.onupgradeneeded = () => {
            const d = req.result;
            d.createObjectStore('people', { keyPath: 'id' }).createIndex('by-name', 'name');
            d.createObjectStore('samples', { keyPath: 'id' }).createIndex('by-person', 'personId');
            d.createObjectStore('settings', { keyPath: 'key' });
          };
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error ?? new Error('open failed'));
        });
        await new Promise<void>((resolve, reject) => {
          const tx = db.transaction(['people', 'samples', 'settings'], 'readwrite');
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error ?? new Error('transaction failed'));
          tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
          tx.objectStore('people').put({
            id: 'p1',
            name: 'Old Timer',
            modelId,
            template: vector,
            createdAt: 1_700_000_000_000,
            updatedAt: 1_700_000_000_000,
            thumbnail: null,
          });
          tx.objectStore('samples').put({
            id: 's1',
            personId: 'p1',
            modelId,
            embedding: vector,
            createdAt: 1_700_000_000_000,
          });
          tx.objectStore('settings').put({ key: 'firstRunDone', value: true });
        });
        db.close();
      },
      { modelId: MODEL_ID, values: embedding },
    );

    // The app opens (and so upgrades) the database and lists the person from version 1.
    await page.goto('/#/people');
    await expect(page.locator('[data-testid="person"][data-name="Old Timer"]')).toBeVisible();
    await expect(page.getByTestId('person')).toHaveCount(1);

    const after = await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('facegate');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error ?? new Error('open failed'));
      });
      try {
        const read = (store: string, key: string) =>
          new Promise<unknown>((resolve, reject) => {
            const req = db.transaction(store, 'readonly').objectStore(store).get(key);
            req.onsuccess = () => resolve(req.result);
            req.onerror = () => reject(req.error ?? new Error('read failed'));
          });
        const sample = (await read('samples', 's1')) as { embedding?: unknown } | undefined;
        const person = (await read('people', 'p1')) as { template?: unknown } | undefined;
        const setting = await read('settings', 'firstRunDone');
        const floats = (v: unknown) => (v instanceof Float32Array ? Array.from(v) : null);
        return {
          version: db.version,
          stores: [...db.objectStoreNames].sort(),
          sampleIsFloat32: sample?.embedding instanceof Float32Array,
          sampleEmbedding: floats(sample?.embedding),
          templateIsFloat32: person?.template instanceof Float32Array,
          template: floats(person?.template),
          setting,
        };
      } finally {
        db.close();
      }
    });

    expect(after.version).toBe(CURRENT_VERSION);
    expect(after.stores).toContain('attempts');
    expect(after.stores).toEqual(['attempts', 'finetune', 'people', 'samples', 'settings']);
    expect(after.sampleIsFloat32).toBe(true);
    expect(after.sampleEmbedding).toHaveLength(512);
    expect(after.sampleEmbedding).toEqual(embedding);
    expect(after.templateIsFloat32).toBe(true);
    expect(after.template).toEqual(embedding);
    expect(after.setting).toEqual({ key: 'firstRunDone', value: true });
  } finally {
    await context.close();
  }
  check();
});
