/**
 * Attempt limits for face unlock: a growing wait after each failure in a row, and after
 * MAX_FAILURES the face is refused until the secret is given. A failure is a face that did not
 * match or never showed life (a spoof); an attempt that saw no usable face is not one.
 */

export const MAX_FAILURES = 5;

/** Wait before the next attempt, by failures in a row: the first miss is free (a bad frame). */
const WAIT_MS = [0, 0, 2_000, 5_000, 15_000];

export interface LockoutState {
  failures: number;
  lockedOut: boolean;
  lastFailureAt: number | null;
}

export const NO_FAILURES: LockoutState = { failures: 0, lockedOut: false, lastFailureAt: null };

export function afterFailure(state: LockoutState, now: number): LockoutState {
  const failures = state.failures + 1;
  return { failures, lockedOut: state.lockedOut || failures >= MAX_FAILURES, lastFailureAt: now };
}

/** What a face unlock or the secret leaves: a clean slate. */
export function afterSuccess(): LockoutState {
  return { ...NO_FAILURES };
}

/** Milliseconds until the next face attempt may start (0: now; Infinity: secret needed). */
export function waitMs(state: LockoutState, now: number): number {
  if (state.lockedOut) return Number.POSITIVE_INFINITY;
  const wait = WAIT_MS[Math.min(state.failures, WAIT_MS.length - 1)] ?? 0;
  if (wait === 0 || state.lastFailureAt === null) return 0;
  // A clock set back must not freeze the wait: never more than the whole wait from now.
  return Math.max(0, Math.min(wait, state.lastFailureAt + wait - now));
}

export function isLockoutState(v: unknown): v is LockoutState {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Partial<LockoutState>;
  return (
    Number.isInteger(s.failures) &&
    (s.failures ?? -1) >= 0 &&
    typeof s.lockedOut === 'boolean' &&
    (s.lastFailureAt === null ||
      (typeof s.lastFailureAt === 'number' && Number.isFinite(s.lastFailureAt)))
  );
}

export function attemptsLeft(state: LockoutState): number {
  return state.lockedOut ? 0 : Math.max(0, MAX_FAILURES - state.failures);
}
