import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { recentAttempts, recordAttempt } from '../../../src/lib/store/attempts';
import { openFacegateDb, resetDbForTests } from '../../../src/lib/store/db';
import type { AttemptRecord } from '../../../src/lib/store/schema';

/** The cap in attempts.ts. */
const KEEP = 500;

function attempt(at: number, overrides: Partial<AttemptRecord> = {}): Omit<AttemptRecord, 'id'> {
  return { at, outcome: 'rejected', mode: 'verify', personId: null, ...overrides };
}

/** Every stored attempt, oldest first (by the 'by-time' index). */
async function stored(): Promise<AttemptRecord[]> {
  const db = await openFacegateDb();
  return db.getAllFromIndex('attempts', 'by-time');
}

beforeEach(async () => {
  await resetDbForTests();
});

describe('recordAttempt', () => {
  it('stores each attempt with a store-assigned id, kept in time order', async () => {
    await recordAttempt(attempt(100, { outcome: 'accepted', personId: 'p1' }));
    await recordAttempt(attempt(200, { mode: 'identify', personId: 'p2' }));
    await recordAttempt(attempt(300));

    const all = await stored();
    expect(all.map(({ id: _id, ...rest }) => rest)).toEqual([
      { at: 100, outcome: 'accepted', mode: 'verify', personId: 'p1' },
      { at: 200, outcome: 'rejected', mode: 'identify', personId: 'p2' },
      { at: 300, outcome: 'rejected', mode: 'verify', personId: null },
    ]);
    const ids = all.map((a) => a.id);
    for (const id of ids) expect(typeof id).toBe('number');
    expect(new Set(ids).size).toBe(3);
    // Recorded in time order, so ids (insertion order) ascend with time.
    expect([...ids].sort((a, b) => a! - b!)).toEqual(ids);
  });

  it('orders by the attempt time, not by when it was recorded', async () => {
    await recordAttempt(attempt(300));
    await recordAttempt(attempt(100));
    await recordAttempt(attempt(200));
    expect((await stored()).map((a) => a.at)).toEqual([100, 200, 300]);
  });

  it('does not change the caller’s object', async () => {
    const a = attempt(1);
    await recordAttempt(a);
    expect(a).toEqual(attempt(1));
    expect('id' in a).toBe(false);
  });
});

describe('recentAttempts', () => {
  it('is empty before anything is recorded', async () => {
    expect(await recentAttempts()).toEqual([]);
  });

  it('returns the newest first, at most `limit` of them', async () => {
    for (let at = 1; at <= 10; at++) await recordAttempt(attempt(at));
    expect((await recentAttempts(3)).map((a) => a.at)).toEqual([10, 9, 8]);
    expect((await recentAttempts(10)).map((a) => a.at)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    // A limit above the count returns them all.
    expect((await recentAttempts(50)).map((a) => a.at)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
  });

  it('returns 20 by default', async () => {
    for (let at = 1; at <= 25; at++) await recordAttempt(attempt(at));
    const recent = await recentAttempts();
    expect(recent).toHaveLength(20);
    expect(recent[0]?.at).toBe(25);
    expect(recent[19]?.at).toBe(6);
  });

  it('sorts by attempt time even when recorded out of order', async () => {
    for (const at of [5, 1, 4, 2, 3]) await recordAttempt(attempt(at));
    expect((await recentAttempts(5)).map((a) => a.at)).toEqual([5, 4, 3, 2, 1]);
  });
});

describe('the attempt log is bounded', () => {
  it(`keeps at most ${KEEP} entries, pruning the oldest`, async () => {
    for (let at = 1; at <= KEEP; at++) await recordAttempt(attempt(at));
    let all = await stored();
    expect(all).toHaveLength(KEEP);
    expect(all[0]?.at).toBe(1);

    for (let at = KEEP + 1; at <= KEEP + 5; at++) {
      await recordAttempt(attempt(at));
      const db = await openFacegateDb();
      expect(await db.count('attempts')).toBe(KEEP);
    }
    all = await stored();
    expect(all).toHaveLength(KEEP);
    expect(all.map((a) => a.at)).toEqual(Array.from({ length: KEEP }, (_, i) => i + 6));
    expect((await recentAttempts(1))[0]?.at).toBe(KEEP + 5);
  });
});
