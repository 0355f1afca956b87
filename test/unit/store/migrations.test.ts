import 'fake-indexeddb/auto';
import { deleteDB, openDB, unwrap } from 'idb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  closeFacegateDb,
  DB_VERSION,
  MIGRATIONS,
  openFacegateDb,
  resetDbForTests,
} from '../../../src/lib/store/db';
import type { Migration } from '../../../src/lib/store/db';
import type { LegacyPerson, LegacySample } from '../../../src/lib/store/schema';

let counter = 0;
const created: string[] = [];
function freshName(): string {
  const name = `migrations-test-${++counter}`;
  created.push(name);
  return name;
}

afterEach(async () => {
  await resetDbForTests();
  for (const name of created.splice(0)) await deleteDB(name);
});

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('request failed'));
  });
}

function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });
}

/**
 * Version 1 exactly as it shipped, written with the raw IndexedDB API and none of the app's
 * code, so an in-place edit of MIGRATIONS[0] (instead of a new step) shows up as a difference.
 */
function buildVersion1(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name, 1);
    req.onupgradeneeded = () => {
      const db = req.result;
      db.createObjectStore('people', { keyPath: 'id' }).createIndex('by-name', 'name');
      db.createObjectStore('samples', { keyPath: 'id' }).createIndex('by-person', 'personId');
      db.createObjectStore('settings', { keyPath: 'key' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('open failed'));
  });
}

const template = Float32Array.from([0.6, -0.8]);
const embeddings = [Float32Array.from([1, 0]), Float32Array.from([0, -1])];

async function fillVersion1(db: IDBDatabase): Promise<void> {
  const tx = db.transaction(['people', 'samples', 'settings'], 'readwrite');
  const done = committed(tx);
  tx.objectStore('people').add({
    id: 'p1',
    name: 'Ann',
    modelId: 'm1',
    template,
    createdAt: 1,
    updatedAt: 2,
    thumbnail: null,
  });
  embeddings.forEach((embedding, i) =>
    tx.objectStore('samples').add({
      id: `s${i}`,
      personId: 'p1',
      modelId: 'm1',
      embedding,
      createdAt: 1,
      pose: 'front',
    }),
  );
  tx.objectStore('settings').add({ key: 'securityLevel', value: 'far_1e-5' });
  await done;
}

/** Store names, key paths and indexes: what a migration is responsible for. */
async function describeSchema(db: IDBDatabase): Promise<unknown> {
  const names = [...db.objectStoreNames].sort();
  const tx = db.transaction(names, 'readonly');
  const done = committed(tx);
  const out = names.map((n) => {
    const store = tx.objectStore(n);
    return {
      name: n,
      keyPath: store.keyPath,
      autoIncrement: store.autoIncrement,
      indexes: [...store.indexNames].sort().map((i) => {
        const index = store.index(i);
        return { name: i, keyPath: index.keyPath, unique: index.unique, multi: index.multiEntry };
      }),
    };
  });
  await done;
  return { version: db.version, stores: out };
}

describe('openFacegateDb', () => {
  it('creates the current schema on a fresh device', async () => {
    const db = await openFacegateDb({ name: freshName() });
    expect(db.version).toBe(DB_VERSION);
    expect(DB_VERSION).toBe(MIGRATIONS.length);
    expect(await describeSchema(unwrap(db))).toEqual({
      version: 4,
      stores: [
        {
          name: 'attempts',
          keyPath: 'id',
          autoIncrement: true,
          indexes: [{ name: 'by-time', keyPath: 'at', unique: false, multi: false }],
        },
        { name: 'finetune', keyPath: 'key', autoIncrement: false, indexes: [] },
        {
          name: 'people',
          keyPath: 'id',
          autoIncrement: false,
          indexes: [{ name: 'by-name', keyPath: 'name', unique: false, multi: false }],
        },
        {
          name: 'samples',
          keyPath: 'id',
          autoIncrement: false,
          indexes: [{ name: 'by-person', keyPath: 'personId', unique: false, multi: false }],
        },
        { name: 'settings', keyPath: 'key', autoIncrement: false, indexes: [] },
        { name: 'vault', keyPath: 'key', autoIncrement: false, indexes: [] },
      ],
    });
  });

  it('is memoised: one connection per database name', async () => {
    const name = freshName();
    const a = openFacegateDb({ name });
    expect(openFacegateDb({ name })).toBe(a);
    const db = await a;
    await closeFacegateDb(name);
    const again = await openFacegateDb({ name });
    expect(again).not.toBe(db);
  });

  it('upgrades a version-1 database made by hand, keeping its data and adding the new stores', async () => {
    const name = freshName();
    const raw = await buildVersion1(name);
    await fillVersion1(raw);
    raw.close();

    const db = await openFacegateDb({ name });
    expect(db.version).toBe(DB_VERSION);
    expect(DB_VERSION).toBeGreaterThanOrEqual(2);
    expect([...db.objectStoreNames].sort()).toEqual([
      'attempts',
      'finetune',
      'people',
      'samples',
      'settings',
      'vault',
    ]);
    expect(await db.count('finetune')).toBe(0);
    // No vault yet: it is made when the first secret is set.
    expect(await db.count('vault')).toBe(0);
    // The new store starts empty and is usable.
    expect(await db.count('attempts')).toBe(0);
    const attemptId = await db.add('attempts', {
      at: 5,
      outcome: 'accepted',
      mode: 'verify',
      personId: 'p1',
    });
    expect(await db.getAllFromIndex('attempts', 'by-time')).toEqual([
      { id: attemptId, at: 5, outcome: 'accepted', mode: 'verify', personId: 'p1' },
    ]);

    // The upgrade keeps old records plain (sealing needs a key and async WebCrypto, so it happens
    // later, in sealLegacy()); they come back exactly as they were written.
    const person = (await db.get('people', 'p1')) as LegacyPerson | undefined;
    expect(person?.name).toBe('Ann');
    expect(person).not.toHaveProperty('sealed');
    expect(person?.template).toBeInstanceOf(Float32Array);
    expect(Array.from(person!.template)).toEqual(Array.from(template));
    const samples = (await db.getAllFromIndex('samples', 'by-person', 'p1')) as LegacySample[];
    expect(samples.every((s) => !('sealed' in s))).toBe(true);
    expect(samples.map((s) => Array.from(s.embedding))).toEqual(
      embeddings.map((e) => Array.from(e)),
    );
    expect(samples[0]?.pose).toBe('front');
    expect(await db.get('settings', 'securityLevel')).toEqual({
      key: 'securityLevel',
      value: 'far_1e-5',
    });

    // Same schema as a fresh install: shipped steps were not changed in place, and the upgrade
    // path ends where a fresh install does.
    const fresh = await openFacegateDb({ name: freshName() });
    expect(await describeSchema(unwrap(db))).toEqual(await describeSchema(unwrap(fresh)));
  });
});

describe('migration steps', () => {
  /** Spies around the real step 0 plus two hypothetical later steps. */
  function steps() {
    const order: number[] = [];
    const step0 = vi.fn<Migration>((db, tx) => {
      order.push(0);
      (MIGRATIONS[0] as Migration)(db, tx);
    });
    // 1 -> 2: a new store (created through the raw database: it is not in today's schema type).
    const step1 = vi.fn<Migration>((db) => {
      order.push(1);
      unwrap(db).createObjectStore('audit', { autoIncrement: true });
    });
    // 2 -> 3: a data rewrite queued on the upgrade transaction.
    const step2 = vi.fn<Migration>((_db, tx) => {
      order.push(2);
      void tx.objectStore('settings').put({ key: 'migratedTo3', value: true });
    });
    return { order, list: [step0, step1, step2], step0, step1, step2 };
  }

  it('a fresh database runs every step once, in order', async () => {
    const s = steps();
    const db = await openFacegateDb({ name: freshName(), migrations: s.list });
    expect(db.version).toBe(3);
    expect(s.order).toEqual([0, 1, 2]);
    expect(await db.get('settings', 'migratedTo3')).toEqual({ key: 'migratedTo3', value: true });
  });

  it('an old database runs exactly the steps it lacks and keeps its data', async () => {
    const name = freshName();
    const raw = await buildVersion1(name);
    await fillVersion1(raw);
    raw.close();

    const s = steps();
    const db = await openFacegateDb({ name, migrations: s.list });
    expect(s.step0).not.toHaveBeenCalled();
    expect(s.order).toEqual([1, 2]);
    expect([...db.objectStoreNames].sort()).toEqual(['audit', 'people', 'samples', 'settings']);
    expect((await db.get('people', 'p1'))?.name).toBe('Ann');
    expect(await db.countFromIndex('samples', 'by-person', 'p1')).toBe(2);

    // Opening at the version it already has runs nothing.
    await closeFacegateDb(name);
    const again = steps();
    await openFacegateDb({ name, migrations: again.list });
    expect(again.order).toEqual([]);
  });

  it('a step that throws aborts the upgrade and leaves the old version', async () => {
    const name = freshName();
    (await buildVersion1(name)).close();
    const failing: Migration[] = [
      MIGRATIONS[0] as Migration,
      () => {
        throw new Error('step failed');
      },
    ];
    await expect(openFacegateDb({ name, migrations: failing })).rejects.toThrow();
    const raw = await request(indexedDB.open(name));
    expect(raw.version).toBe(1);
    raw.close();
  });
});

describe('two tabs, two versions', () => {
  it('an open connection blocking a newer version closes itself and calls onBlocking', async () => {
    const name = freshName();
    const onBlocking = vi.fn();
    await openFacegateDb({ name, onBlocking });

    // "Another tab" with a newer build opens the next version.
    const newer = await openDB(name, DB_VERSION + 1, {
      upgrade(db) {
        db.createObjectStore('extra');
      },
    });
    try {
      expect(onBlocking).toHaveBeenCalledOnce();
      expect(newer.version).toBe(DB_VERSION + 1);
    } finally {
      // Left open, it would block the database's deletion after the test.
      newer.close();
    }
    // This tab's old code cannot reopen a database newer than it knows: it must reload.
    await expect(openFacegateDb({ name })).rejects.toMatchObject({ name: 'VersionError' });
  });

  it('an upgrade waiting on an old connection calls onBlocked, then proceeds once it closes', async () => {
    const name = freshName();
    const old = await buildVersion1(name);
    old.onversionchange = null; // an old tab that ignores the request to close

    // This tab runs the current build, whose upgrade from version 1 needs the old tab gone.
    const onBlocked = vi.fn();
    const opening = openFacegateDb({ name, onBlocked });
    try {
      await vi.waitFor(() => expect(onBlocked).toHaveBeenCalledOnce());
    } finally {
      old.close();
    }
    const db = await opening;
    expect(db.version).toBe(DB_VERSION);
    expect(db.objectStoreNames.contains('attempts')).toBe(true);
  });
});
