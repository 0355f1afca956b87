import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, launchProfile, test } from './fixtures.ts';
import { fakeCamera } from './paths.ts';
import { findPlaintext, rawRecords } from './raw-db.ts';
import { PASSPHRASE, vaultStatus } from './vault.ts';
import { ARGON2ID, argon2idBits } from '../../src/lib/crypto/kdf.ts';

const MODEL_ID = (
  JSON.parse(readFileSync(resolve(import.meta.dirname, '../../models/manifest.json'), 'utf8')) as {
    id: string;
  }
).id;

/** The version this build's MIGRATIONS ends at (src/lib/store/db.ts). */
const CURRENT_VERSION = 4;

/**
 * A unit vector of 512 float32 values with awkward bit patterns, as plain numbers: each is a
 * float32 value exactly, so the page rebuilds the same bits from them.
 */
function unitEmbedding(dim = 512): number[] {
  const raw = Array.from({ length: dim }, (_, i) => (Math.sin((i + 1) * 12.9898) * 43758.5453) % 1);
  const n = Math.hypot(...raw);
  return Array.from(Float32Array.from(raw, (x) => x / n));
}

test('a version-3 database with plain face data is sealed by the first passphrase, data intact', async ({
  baseURL,
}) => {
  const origin = new URL(baseURL ?? 'http://localhost').origin;
  const profile = mkdtempSync(join(tmpdir(), 'facegate-profile-'));
  const { context, check } = await launchProfile(profile, fakeCamera('one-face'), origin);
  const embedding = unitEmbedding();
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    // Same origin, but not the app: nothing opens the database before the test builds it.
    await page.goto('/manifest.webmanifest');

    // Version 3 exactly as it shipped (plain templates, samples with their crop, a plain
    // fine-tune), with the raw IndexedDB API and none of the app's code.
    await page.evaluate(
      async ({ modelId, values }) => {
        const vector = Float32Array.from(values);
        const crop = new Uint8ClampedArray(112 * 112 * 4).map((_, i) => (i * 37) % 251);
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const req = indexedDB.open('facegate', 3);
          req.onupgradeneeded = () => {
            const d = req.result;
            d.createObjectStore('people', { keyPath: 'id' }).createIndex('by-name', 'name');
            d.createObjectStore('samples', { keyPath: 'id' }).createIndex('by-person', 'personId');
            d.createObjectStore('settings', { keyPath: 'key' });
            d.createObjectStore('attempts', { keyPath: 'id', autoIncrement: true }).createIndex(
              'by-time',
              'at',
            );
            d.createObjectStore('finetune', { keyPath: 'key' });
          };
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error ?? new Error('open failed'));
        });
        await new Promise<void>((resolve, reject) => {
          const tx = db.transaction(['people', 'samples', 'settings', 'finetune'], 'readwrite');
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
            crop: { width: 112, height: 112, data: crop },
          });
          tx.objectStore('finetune').put({
            key: 'current',
            modelId,
            samplesKey: `${modelId}|p1/s1`,
            people: [{ id: 'p1', name: 'Old Timer' }],
            used: false,
            adapter: null,
            templates: [{ personId: 'p1', template: vector }],
            guard: { accepted: false, reason: 'test' },
            createdAt: 1_700_000_000_000,
            seconds: 1,
            backend: 'cpu',
          });
          tx.objectStore('settings').put({ key: 'firstRunDone', value: true });
        });
        db.close();
      },
      { modelId: MODEL_ID, values: embedding },
    );

    // The app upgrades the database and asks for a passphrase to seal the person it found.
    await page.goto('/#/people');
    await expect(page.getByTestId('vault-legacy')).toContainText('One person is enrolled', {
      timeout: 30_000,
    });
    await page.getByTestId('new-passphrase').fill(PASSPHRASE);
    await page.getByTestId('confirm-passphrase').fill(PASSPHRASE);
    await page.getByTestId('vault-create').click();
    await expect(vaultStatus(page)).toHaveAttribute('data-vault', 'open', { timeout: 30_000 });
    await expect(page.locator('[data-testid="person"][data-name="Old Timer"]')).toBeVisible();
    await expect(page.getByTestId('person')).toHaveCount(1);

    // On disk: version 4, every face record sealed, nothing of the embedding or crop in plain form.
    const version = await page.evaluate(
      () =>
        new Promise<number>((resolve, reject) => {
          const req = indexedDB.open('facegate');
          req.onsuccess = () => {
            resolve(req.result.version);
            req.result.close();
          };
          req.onerror = () => reject(req.error ?? new Error('open failed'));
        }),
    );
    expect(version).toBe(CURRENT_VERSION);
    const raw = await rawRecords(page);
    expect([...raw.stores].sort()).toEqual([
      'attempts',
      'finetune',
      'people',
      'samples',
      'settings',
      'vault',
    ]);
    expect(raw.plainTypedArrays).toEqual([]);
    expect(findPlaintext(raw.chunks, [Float32Array.from(embedding)])).toEqual([]);
    const crop = new Uint8ClampedArray(112 * 112 * 4).map((_, i) => (i * 37) % 251);
    const cropRun = Buffer.from(crop.buffer, 0, 64);
    const withCrop = raw.chunks.filter((c) => Buffer.from(c.base64, 'base64').includes(cropRun));
    expect(withCrop).toEqual([]);

    // After a restart the passphrase opens it, and the person is still there.
    await page.reload();
    await page.goto('/#/people');
    await page.getByTestId('passphrase').fill(PASSPHRASE);
    await page.getByTestId('passphrase-submit').click();
    await expect(page.locator('[data-testid="person"][data-name="Old Timer"]')).toBeVisible();
  } finally {
    await context.close();
  }
  check();
});

test('a PBKDF2 vault from before Argon2id opens with its passphrase and is re-wrapped under Argon2id', async ({
  openApp,
}) => {
  // Same origin, but not the app: nothing opens the database before the test builds it.
  const page = await openApp(fakeCamera('one-face'), '/manifest.webmanifest');
  // A version-4 database as the app wrote it before Argon2id: the data key wrapped under
  // PBKDF2-SHA256 (600,000 rounds), the record with `iterations` and no `kdf`. Raw IndexedDB and
  // WebCrypto only, none of the app's code. Returns the data key's bytes to compare later.
  const dataKey = await page.evaluate(async (passphrase) => {
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, [
      'encrypt',
      'decrypt',
    ]);
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const material = await crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(passphrase),
      'PBKDF2',
      false,
      ['deriveKey'],
    );
    const kek = await crypto.subtle.deriveKey(
      { name: 'PBKDF2', hash: 'SHA-256', salt, iterations: 600_000 },
      material,
      { name: 'AES-KW', length: 256 },
      false,
      ['wrapKey'],
    );
    const wrapped = new Uint8Array(await crypto.subtle.wrapKey('raw', key, kek, 'AES-KW'));
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('facegate', 4);
      req.onupgradeneeded = () => {
        const d = req.result;
        d.createObjectStore('people', { keyPath: 'id' }).createIndex('by-name', 'name');
        d.createObjectStore('samples', { keyPath: 'id' }).createIndex('by-person', 'personId');
        d.createObjectStore('settings', { keyPath: 'key' });
        d.createObjectStore('attempts', { keyPath: 'id', autoIncrement: true }).createIndex(
          'by-time',
          'at',
        );
        d.createObjectStore('finetune', { keyPath: 'key' });
        d.createObjectStore('vault', { keyPath: 'key' });
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error('open failed'));
    });
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(['vault', 'settings'], 'readwrite');
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('transaction failed'));
      tx.objectStore('vault').put({
        key: 'passphrase',
        salt,
        iterations: 600_000,
        wrapped,
        changedAt: 1_700_000_000_000,
      });
      tx.objectStore('settings').put({ key: 'firstRunDone', value: true });
    });
    db.close();
    return Array.from(new Uint8Array(await crypto.subtle.exportKey('raw', key)));
  }, PASSPHRASE);

  const readWrap = () =>
    page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('facegate');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error ?? new Error('open failed'));
      });
      const r = await new Promise<Record<string, unknown>>((resolve) => {
        const req = db.transaction('vault').objectStore('vault').get('passphrase');
        req.onsuccess = () => resolve(req.result as Record<string, unknown>);
      });
      db.close();
      return {
        kdf: r.kdf,
        iterations: r.iterations,
        salt: Array.from(r.salt as Uint8Array),
        wrapped: Array.from(r.wrapped as Uint8Array),
      };
    });

  await page.goto('/#/unlock');
  await expect(vaultStatus(page)).toHaveAttribute('data-vault', 'sealed', { timeout: 30_000 });
  await page.getByTestId('passphrase').fill(PASSPHRASE);
  await page.getByTestId('passphrase-submit').click();
  await expect(vaultStatus(page)).toHaveAttribute('data-vault', 'open', { timeout: 30_000 });

  const wrap = await readWrap();
  expect(wrap.kdf).toEqual(ARGON2ID);
  expect(wrap.iterations).toBeUndefined();
  // The same data key under the new wrap: Argon2id of the passphrase (computed here, in Node)
  // unwraps exactly the bytes the old wrap held.
  const kek = await argon2idBits(PASSPHRASE, Uint8Array.from(wrap.salt), ARGON2ID);
  const unwrapped = await page.evaluate(
    async ({ kekBytes, wrapped }) => {
      const kek = await crypto.subtle.importKey('raw', Uint8Array.from(kekBytes), 'AES-KW', false, [
        'unwrapKey',
      ]);
      const key = await crypto.subtle.unwrapKey(
        'raw',
        Uint8Array.from(wrapped),
        kek,
        'AES-KW',
        { name: 'AES-GCM', length: 256 },
        true,
        ['encrypt'],
      );
      return Array.from(new Uint8Array(await crypto.subtle.exportKey('raw', key)));
    },
    { kekBytes: Array.from(kek), wrapped: wrap.wrapped },
  );
  expect(unwrapped).toEqual(dataKey);

  // After a restart the passphrase opens it through the Argon2id wrap, which stays as it is.
  await page.reload();
  await page.goto('/#/unlock');
  await expect(vaultStatus(page)).toHaveAttribute('data-vault', 'sealed', { timeout: 30_000 });
  await page.getByTestId('passphrase').fill(PASSPHRASE);
  await page.getByTestId('passphrase-submit').click();
  await expect(vaultStatus(page)).toHaveAttribute('data-vault', 'open', { timeout: 30_000 });
  expect(await readWrap()).toEqual(wrap);
});
