/**
 * Wrong passphrases in a row, kept in IndexedDB (vault store, 'passphrase-failures') so that a
 * reload or a second tab does not start the wait over; the rule is security/passphrase-wait.ts.
 * Every passphrase check the app offers (unlock, change, adding an authenticator) goes through
 * gatedPassphrase(), so none of them is a faster way to guess.
 */

import { WrongSecretError } from '../crypto/seal';
import {
  afterWrongPassphrase,
  isPassphraseFailures,
  NO_PASSPHRASE_FAILURES,
  passphraseWaitMs,
  waitSeconds,
  type PassphraseFailures,
} from '../security/passphrase-wait';
import { openFacegateDb, StoreError, writeTransaction } from './db';
import type { PassphraseFailuresRecord, VaultRecord } from './schema';

/** A passphrase was offered before the wait after the last wrong one ended; nothing was tried. */
export class PassphraseWaitError extends StoreError {
  override name = 'PassphraseWaitError';
  constructor(readonly waitMs: number) {
    super(`Wrong passphrase. Try again in ${waitSeconds(waitMs)} s.`);
  }
}

/**
 * The stored count. A damaged one errs on the safe side without locking the owner out: no wait
 * now, but the next wrong passphrase earns the longest one.
 */
function failuresFrom(record: VaultRecord | undefined): PassphraseFailures {
  if (record?.key !== 'passphrase-failures') return { ...NO_PASSPHRASE_FAILURES };
  const state = { failures: record.failures, lastFailureAt: record.lastFailureAt };
  return isPassphraseFailures(state) ? state : { failures: 9, lastFailureAt: null };
}

export async function readPassphraseFailures(): Promise<PassphraseFailures> {
  const db = await openFacegateDb();
  return failuresFrom(await db.get('vault', 'passphrase-failures'));
}

/** Read, change and write in one transaction, so two tabs failing at once both count. */
function updateFailures(
  change: (s: PassphraseFailures) => PassphraseFailures,
): Promise<PassphraseFailures> {
  return writeTransaction(['vault'], async (tx) => {
    const store = tx.objectStore('vault');
    const next = change(failuresFrom(await store.get('passphrase-failures')));
    const record: PassphraseFailuresRecord = { key: 'passphrase-failures', ...next };
    await store.put(record);
    return next;
  });
}

export function recordWrongPassphrase(now: number = Date.now()): Promise<PassphraseFailures> {
  return updateFailures((s) => afterWrongPassphrase(s, now));
}

export function clearPassphraseFailures(): Promise<PassphraseFailures> {
  return updateFailures(() => ({ ...NO_PASSPHRASE_FAILURES }));
}

/**
 * Runs `attempt` (a check of a typed passphrase) unless the wait is still running:
 * PassphraseWaitError then, without deriving anything. A WrongSecretError from `attempt` is
 * counted and passed on; success clears the count.
 */
export async function gatedPassphrase<T>(
  attempt: () => Promise<T>,
  now: () => number = Date.now,
): Promise<T> {
  const before = await readPassphraseFailures();
  const wait = passphraseWaitMs(before, now());
  if (wait > 0) throw new PassphraseWaitError(wait);
  let result: T;
  try {
    result = await attempt();
  } catch (e) {
    if (e instanceof WrongSecretError) await recordWrongPassphrase(now());
    throw e;
  }
  if (before.failures > 0) await clearPassphraseFailures();
  return result;
}
