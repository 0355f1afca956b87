import { openFacegateDb, writeTransaction } from './db';
import type { AttemptRecord } from './schema';

/** Keeps the log bounded: only recent attempts matter for a lockout. */
const KEEP = 500;

export async function recordAttempt(attempt: Omit<AttemptRecord, 'id'>): Promise<void> {
  await writeTransaction(['attempts'], async (tx) => {
    const store = tx.objectStore('attempts');
    await store.add(attempt);
    const count = await store.count();
    if (count > KEEP) {
      let cursor = await store.index('by-time').openCursor();
      for (let excess = count - KEEP; cursor && excess > 0; excess--) {
        await cursor.delete();
        cursor = await cursor.continue();
      }
    }
  });
}

export async function recentAttempts(limit = 20): Promise<AttemptRecord[]> {
  const db = await openFacegateDb();
  const all = await db.getAllFromIndex('attempts', 'by-time');
  return all.slice(-limit).reverse();
}
