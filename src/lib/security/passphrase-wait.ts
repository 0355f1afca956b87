/**
 * The wait after wrong passphrases typed in a row: none before the first, then 1 s, 2 s, 4 s ...
 * doubling up to MAX_WAIT_MS. A person who mistypes twice waits seconds; someone guessing through
 * the app gets ~12 guesses in the first 15 minutes and then one every 5 minutes. Pure (no DOM,
 * no storage): store/passphrase-failures.ts keeps the state in IndexedDB.
 */

export const FIRST_WAIT_MS = 1_000;
export const MAX_WAIT_MS = 5 * 60_000;

export interface PassphraseFailures {
  failures: number;
  lastFailureAt: number | null;
}

export const NO_PASSPHRASE_FAILURES: PassphraseFailures = { failures: 0, lastFailureAt: null };

export function afterWrongPassphrase(state: PassphraseFailures, now: number): PassphraseFailures {
  return { failures: state.failures + 1, lastFailureAt: now };
}

/** The whole wait that `failures` wrong passphrases in a row earn. */
export function waitFor(failures: number): number {
  if (failures <= 0) return 0;
  // 2^(n-1) s; the exponent is capped first so a huge count cannot overflow to Infinity.
  return Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** Math.min(failures - 1, 30));
}

/** Milliseconds until the next passphrase may be tried (0: now). */
export function passphraseWaitMs(state: PassphraseFailures, now: number): number {
  const wait = waitFor(state.failures);
  if (wait === 0 || state.lastFailureAt === null) return 0;
  // A clock set back must not freeze the wait: never more than the whole wait from now.
  return Math.max(0, Math.min(wait, state.lastFailureAt + wait - now));
}

/** Whole seconds to show, rounded up: "1 s" until the wait is really over. */
export function waitSeconds(ms: number): number {
  return Math.ceil(ms / 1000);
}

export function isPassphraseFailures(v: unknown): v is PassphraseFailures {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Partial<PassphraseFailures>;
  return (
    Number.isInteger(s.failures) &&
    (s.failures ?? -1) >= 0 &&
    (s.lastFailureAt === null ||
      (typeof s.lastFailureAt === 'number' && Number.isFinite(s.lastFailureAt)))
  );
}
