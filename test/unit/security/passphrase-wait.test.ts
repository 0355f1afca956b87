import { describe, expect, it } from 'vitest';
import {
  afterWrongPassphrase,
  FIRST_WAIT_MS,
  isPassphraseFailures,
  MAX_WAIT_MS,
  NO_PASSPHRASE_FAILURES,
  passphraseWaitMs,
  waitFor,
  waitSeconds,
  type PassphraseFailures,
} from '../../../src/lib/security/passphrase-wait';

const T0 = 1_700_000_000_000;

function failed(n: number, at = T0): PassphraseFailures {
  let s: PassphraseFailures = { ...NO_PASSPHRASE_FAILURES };
  for (let i = 0; i < n; i++) s = afterWrongPassphrase(s, at);
  return s;
}

describe('the wait after wrong passphrases', () => {
  it('none at first, then 1 s, 2 s, 4 s, 8 s ... doubling', () => {
    expect(passphraseWaitMs(NO_PASSPHRASE_FAILURES, T0)).toBe(0);
    expect(FIRST_WAIT_MS).toBe(1_000);
    expect([1, 2, 3, 4, 5, 6].map((n) => passphraseWaitMs(failed(n), T0))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 32_000,
    ]);
  });

  it('is capped at five minutes, however many failures (no overflow)', () => {
    expect(MAX_WAIT_MS).toBe(300_000);
    expect(waitFor(9)).toBe(256_000);
    expect(waitFor(10)).toBe(MAX_WAIT_MS);
    for (const n of [11, 50, 1_000, 2 ** 31]) expect(waitFor(n)).toBe(MAX_WAIT_MS);
    expect(waitFor(0)).toBe(0);
    expect(waitFor(-3)).toBe(0);
  });

  it('counts down from the last failure and ends', () => {
    const s = failed(3);
    expect(passphraseWaitMs(s, T0 + 1_500)).toBe(2_500);
    expect(passphraseWaitMs(s, T0 + 4_000)).toBe(0);
    expect(passphraseWaitMs(s, T0 + 60_000)).toBe(0);
  });

  it('a clock set back does not make the wait longer than the whole wait', () => {
    expect(passphraseWaitMs(failed(2), T0 - 3_600_000)).toBe(2_000);
  });

  it('counts every failure and records its time', () => {
    const s = afterWrongPassphrase(failed(2, T0), T0 + 10_000);
    expect(s).toEqual({ failures: 3, lastFailureAt: T0 + 10_000 });
    // No time recorded: nothing to wait for (a damaged record is read this way).
    expect(passphraseWaitMs({ failures: 9, lastFailureAt: null }, T0)).toBe(0);
  });

  it('shows whole seconds rounded up', () => {
    expect(waitSeconds(1)).toBe(1);
    expect(waitSeconds(1_000)).toBe(1);
    expect(waitSeconds(1_001)).toBe(2);
    expect(waitSeconds(0)).toBe(0);
  });

  it('recognises a stored state and refuses damaged ones', () => {
    expect(isPassphraseFailures(failed(2))).toBe(true);
    expect(isPassphraseFailures(NO_PASSPHRASE_FAILURES)).toBe(true);
    for (const bad of [
      null,
      {},
      { failures: -1, lastFailureAt: null },
      { failures: 1.5, lastFailureAt: null },
      { failures: '2', lastFailureAt: null },
      { failures: 2, lastFailureAt: Number.NaN },
      { failures: 2 },
    ]) {
      expect(isPassphraseFailures(bad), JSON.stringify(bad)).toBe(false);
    }
  });
});
