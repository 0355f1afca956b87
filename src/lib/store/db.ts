/**
 * Opening the database: numbered migrations, one memoised connection per tab, and the
 * error type the repositories throw.
 */

import { deleteDB, openDB } from 'idb';
import type { IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import { DB_NAME } from './schema';
import type { FacegateSchema } from './schema';

/** A failure the user can act on; `message` is written for them. */
export class StoreError extends Error {
  override name = 'StoreError';
}

export const OUT_OF_SPACE_MESSAGE =
  'The device is out of storage space; nothing was saved. Free some space and try again.';

export type FacegateDb = IDBPDatabase<FacegateSchema>;
export type UpgradeTransaction = IDBPTransaction<
  FacegateSchema,
  StoreNames<FacegateSchema>[],
  'versionchange'
>;

/**
 * One schema step. Runs synchronously inside the versionchange transaction: create or delete
 * stores and indexes, and queue data rewrites as requests on `tx`. Nothing else may be awaited
 * there (the transaction would commit), so work that needs async APIs, such as encrypting
 * templates with WebCrypto, is done after opening in an ordinary transaction, with the step only
 * adding what that work needs (a new store or field marker).
 */
export type Migration = (db: FacegateDb, tx: UpgradeTransaction) => void;

/**
 * Cumulative upgrade steps: MIGRATIONS[i] upgrades version i to i + 1, so a fresh database runs
 * all of them and an old one only those it lacks. Never edit a step that has shipped; append one.
 * test/unit/store/migrations.test.ts builds each old version by hand and checks the upgrade.
 */
export const MIGRATIONS: readonly Migration[] = [
  // 0 -> 1: people, their enrolment samples, settings.
  (db) => {
    const people = db.createObjectStore('people', { keyPath: 'id' });
    people.createIndex('by-name', 'name');
    const samples = db.createObjectStore('samples', { keyPath: 'id' });
    samples.createIndex('by-person', 'personId');
    db.createObjectStore('settings', { keyPath: 'key' });
  },
  // 1 -> 2: a log of unlock attempts (time, outcome, who), the basis of the coming lockout.
  (db) => {
    const attempts = db.createObjectStore('attempts', { keyPath: 'id', autoIncrement: true });
    attempts.createIndex('by-time', 'at');
  },
  // 2 -> 3: the on-device fine-tune (samples may now carry their crop; no rewrite needed).
  (db) => {
    db.createObjectStore('finetune', { keyPath: 'key' });
  },
  // 3 -> 4: the vault (wrapped data key, note, lockout). Plain records stay as they are until
  // the first secret is set; the app then seals them all in one transaction (store/sealing.ts).
  (db) => {
    db.createObjectStore('vault', { keyPath: 'key' });
  },
];

export const DB_VERSION = MIGRATIONS.length;

export interface OpenOptions {
  /** Another tab holds an older version open and has not closed it yet. */
  onBlocked?: () => void;
  /** Another tab wants a newer version; this connection has been closed, so the page should reload. */
  onBlocking?: () => void;
  /** The browser closed the connection (storage cleared, disk error). */
  onTerminated?: () => void;
  name?: string;
  /** Tests only: a different step list (the version is its length). */
  migrations?: readonly Migration[];
}

type Handlers = Pick<OpenOptions, 'onBlocked' | 'onBlocking' | 'onTerminated'>;

const connections = new Map<string, Promise<FacegateDb>>();
const handlers = new Map<string, Handlers>();

/**
 * The tab's connection to `name` (default 'facegate'), opened on first use. Handlers given on
 * any call replace earlier ones, so the app can register them at start-up while repositories
 * call this without options.
 */
export function openFacegateDb(opts: OpenOptions = {}): Promise<FacegateDb> {
  const name = opts.name ?? DB_NAME;
  const given: Handlers = {};
  if (opts.onBlocked) given.onBlocked = opts.onBlocked;
  if (opts.onBlocking) given.onBlocking = opts.onBlocking;
  if (opts.onTerminated) given.onTerminated = opts.onTerminated;
  handlers.set(name, { ...handlers.get(name), ...given });

  const existing = connections.get(name);
  if (existing) return existing;

  const steps = opts.migrations ?? MIGRATIONS;
  const opening = openDB<FacegateSchema>(name, steps.length, {
    upgrade(db, oldVersion, newVersion, tx) {
      // A failing step aborts the upgrade; the open then rejects, which is what callers see.
      void tx.done.catch(() => undefined);
      const target = newVersion ?? steps.length;
      for (let v = oldVersion; v < target; v++) {
        const step = steps[v];
        if (!step) throw new Error(`no migration from version ${v}`);
        step(db, tx);
      }
    },
    blocked() {
      handlers.get(name)?.onBlocked?.();
    },
    blocking(_current, _blocked, event) {
      // Closing at once (not in a later promise callback) lets the other tab's upgrade proceed
      // without a blocked event; this tab must reload to use the new schema.
      (event.target as IDBDatabase | null)?.close();
      connections.delete(name);
      handlers.get(name)?.onBlocking?.();
    },
    terminated() {
      connections.delete(name);
      handlers.get(name)?.onTerminated?.();
    },
  });
  connections.set(name, opening);
  // A failed open must not be memoised, or every later call would get the same failure.
  void opening.catch(() => {
    if (connections.get(name) === opening) connections.delete(name);
  });
  return opening;
}

/** Closes the tab's connection (e.g. before deleting the database); the next call reopens. */
export async function closeFacegateDb(name: string = DB_NAME): Promise<void> {
  const opening = connections.get(name);
  connections.delete(name);
  const db = await opening?.catch(() => undefined);
  db?.close();
}

/** Closes every connection this module opened and deletes those databases. */
export async function resetDbForTests(): Promise<void> {
  const names = [...connections.keys()];
  for (const name of names) await closeFacegateDb(name);
  handlers.clear();
  for (const name of new Set([...names, DB_NAME])) await deleteDB(name);
}

function isQuotaError(e: unknown): boolean {
  return (
    typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'QuotaExceededError'
  );
}

/** Turns a full-disk failure into the message the user sees; anything else passes through. */
export function storeErrorFrom(e: unknown): unknown {
  return isQuotaError(e) ? new StoreError(OUT_OF_SPACE_MESSAGE) : e;
}

type ReadwriteTx<S extends StoreNames<FacegateSchema>[]> = IDBPTransaction<
  FacegateSchema,
  S,
  'readwrite'
>;

/**
 * Runs `body` in one readwrite transaction and resolves after it commits. If `body` throws,
 * the transaction is aborted, so nothing it wrote persists. `body` may await requests on `tx`
 * only (anything else lets the transaction auto-commit half done).
 */
export async function writeTransaction<S extends StoreNames<FacegateSchema>[], T>(
  stores: S,
  body: (tx: ReadwriteTx<S>) => Promise<T>,
): Promise<T> {
  const db = await openFacegateDb();
  const tx = db.transaction(stores, 'readwrite');
  const done = tx.done;
  // Observed here so an abort is never an unhandled rejection; still awaited below.
  void done.catch(() => undefined);
  try {
    const result = await body(tx);
    await done;
    return result;
  } catch (e) {
    try {
      tx.abort();
    } catch {
      // Already aborted by the failed request, or already committed.
    }
    // Settled before rejecting, so a caller that reads next sees the rolled-back state.
    await done.catch(() => undefined);
    throw storeErrorFrom(e);
  }
}
