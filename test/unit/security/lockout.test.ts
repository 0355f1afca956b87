import { describe, expect, it } from 'vitest';
import {
  afterFailure,
  afterSuccess,
  attemptsLeft,
  isLockoutState,
  MAX_FAILURES,
  NO_FAILURES,
  waitMs,
} from '../../../src/lib/security/lockout';
import type { LockoutState } from '../../../src/lib/security/lockout';

const T0 = 1_700_000_000_000;

/** The state after `n` failures in a row, all at T0. */
function failed(n: number, at = T0): LockoutState {
  let s: LockoutState = { ...NO_FAILURES };
  for (let i = 0; i < n; i++) s = afterFailure(s, at);
  return s;
}

describe('lockout', () => {
  it('starts clean', () => {
    expect(NO_FAILURES).toEqual({ failures: 0, lockedOut: false, lastFailureAt: null });
    expect(waitMs(NO_FAILURES, T0)).toBe(0);
    expect(attemptsLeft(NO_FAILURES)).toBe(MAX_FAILURES);
    expect(MAX_FAILURES).toBe(5);
  });

  it('the wait grows with each failure in a row: 0, 0, 2 s, 5 s, 15 s, then the secret', () => {
    const waits = [0, 1, 2, 3, 4].map((n) => waitMs(failed(n), T0));
    expect(waits).toEqual([0, 0, 2_000, 5_000, 15_000]);
    expect([0, 1, 2, 3, 4].map((n) => attemptsLeft(failed(n)))).toEqual([5, 4, 3, 2, 1]);
    for (let n = 0; n < MAX_FAILURES; n++) expect(failed(n).lockedOut).toBe(false);
  });

  it('counts failures and stamps the time of the last one', () => {
    const one = afterFailure(NO_FAILURES, T0);
    expect(one).toEqual({ failures: 1, lockedOut: false, lastFailureAt: T0 });
    const two = afterFailure(one, T0 + 500);
    expect(two).toEqual({ failures: 2, lockedOut: false, lastFailureAt: T0 + 500 });
    // Pure: the earlier state is unchanged.
    expect(one.failures).toBe(1);
    expect(NO_FAILURES.failures).toBe(0);
  });

  it(`locks out after ${MAX_FAILURES} failures: no wait ends it, no attempts left`, () => {
    const locked = failed(MAX_FAILURES);
    expect(locked.lockedOut).toBe(true);
    expect(locked.failures).toBe(5);
    expect(waitMs(locked, T0)).toBe(Number.POSITIVE_INFINITY);
    expect(waitMs(locked, T0 + 365 * 24 * 3600 * 1000)).toBe(Number.POSITIVE_INFINITY);
    expect(attemptsLeft(locked)).toBe(0);
    // More failures keep it locked.
    const more = afterFailure(locked, T0 + 1);
    expect(more.lockedOut).toBe(true);
    expect(more.failures).toBe(6);
    expect(attemptsLeft(more)).toBe(0);
    // A lockout stays even if the count was somehow lowered.
    expect(afterFailure({ ...locked, failures: 0 }, T0).lockedOut).toBe(true);
  });

  it('a success (face or secret) resets everything', () => {
    const cleared = afterSuccess();
    expect(cleared).toEqual(NO_FAILURES);
    expect(waitMs(cleared, T0)).toBe(0);
    expect(attemptsLeft(cleared)).toBe(5);
    // A fresh object each time: changing one does not change the constant.
    cleared.failures = 3;
    expect(NO_FAILURES.failures).toBe(0);
    expect(afterSuccess().failures).toBe(0);
    // After a reset the first failure is free again.
    expect(waitMs(afterFailure(afterSuccess(), T0), T0)).toBe(0);
  });

  it('the wait counts down with time and ends at zero', () => {
    const s = failed(3); // 5 s wait from T0
    expect(waitMs(s, T0)).toBe(5_000);
    expect(waitMs(s, T0 + 1)).toBe(4_999);
    expect(waitMs(s, T0 + 2_000)).toBe(3_000);
    expect(waitMs(s, T0 + 4_999)).toBe(1);
    expect(waitMs(s, T0 + 5_000)).toBe(0);
    expect(waitMs(s, T0 + 60_000)).toBe(0);
  });

  it('a clock set back never makes the wait longer than the whole wait', () => {
    const s = failed(4); // 15 s
    expect(waitMs(s, T0 - 1)).toBe(15_000);
    expect(waitMs(s, T0 - 24 * 3600 * 1000)).toBe(15_000);
    expect(waitMs(failed(2), T0 - 10_000_000)).toBe(2_000);
  });

  it('no wait without a time of failure', () => {
    expect(waitMs({ failures: 3, lockedOut: false, lastFailureAt: null }, T0)).toBe(0);
  });

  it('isLockoutState accepts real states and rejects junk', () => {
    expect(isLockoutState(NO_FAILURES)).toBe(true);
    expect(isLockoutState(failed(2))).toBe(true);
    expect(isLockoutState(failed(7))).toBe(true);
    const junk: unknown[] = [
      null,
      undefined,
      0,
      'locked',
      [],
      {},
      { failures: 1, lockedOut: false },
      { failures: -1, lockedOut: false, lastFailureAt: null },
      { failures: 1.5, lockedOut: false, lastFailureAt: null },
      { failures: Number.NaN, lockedOut: false, lastFailureAt: null },
      { failures: '1', lockedOut: false, lastFailureAt: null },
      { failures: 1, lockedOut: 'false', lastFailureAt: null },
      { failures: 1, lockedOut: 0, lastFailureAt: null },
      { failures: 1, lockedOut: false, lastFailureAt: Number.NaN },
      { failures: 1, lockedOut: false, lastFailureAt: Number.POSITIVE_INFINITY },
      { failures: 1, lockedOut: false, lastFailureAt: '2024-01-01' },
      { failures: 1, lockedOut: false, lastFailureAt: undefined },
    ];
    for (const v of junk) expect(isLockoutState(v), JSON.stringify(v) ?? String(v)).toBe(false);
  });
});
