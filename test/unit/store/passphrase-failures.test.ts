import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WrongSecretError } from '../../../src/lib/crypto/seal';
import { closeFacegateDb, openFacegateDb, resetDbForTests } from '../../../src/lib/store/db';
import {
  clearPassphraseFailures,
  gatedPassphrase,
  PassphraseWaitError,
  readPassphraseFailures,
  recordWrongPassphrase,
} from '../../../src/lib/store/passphrase-failures';

const T0 = 1_700_000_000_000;
const wrong = () => Promise.reject(new WrongSecretError('no'));

beforeEach(async () => {
  await resetDbForTests();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('wrong passphrases in a row (IndexedDB)', () => {
  it('each wrong one is counted and earns a longer wait; a try during it derives nothing', async () => {
    let now = T0;
    const clock = () => now;
    await expect(gatedPassphrase(wrong, clock)).rejects.toThrow(WrongSecretError);
    expect(await readPassphraseFailures()).toEqual({ failures: 1, lastFailureAt: T0 });

    const attempt = vi.fn(() => Promise.resolve('key'));
    now = T0 + 400;
    const early = gatedPassphrase(attempt, clock);
    await expect(early).rejects.toThrow(PassphraseWaitError);
    await expect(early).rejects.toThrow('Wrong passphrase. Try again in 1 s.');
    expect(attempt).not.toHaveBeenCalled();
    // Refused tries do not count: the wait is not made longer by pressing the button.
    expect((await readPassphraseFailures()).failures).toBe(1);

    now = T0 + 1_000;
    await expect(gatedPassphrase(wrong, clock)).rejects.toThrow(WrongSecretError);
    now += 1_500;
    const e = await gatedPassphrase(attempt, clock).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PassphraseWaitError);
    expect((e as PassphraseWaitError).waitMs).toBe(500);

    now += 500;
    await expect(gatedPassphrase(wrong, clock)).rejects.toThrow(WrongSecretError);
    await expect(gatedPassphrase(attempt, () => now + 3_999)).rejects.toThrow(/in 1 s/);
    now += 4_000;
    await expect(gatedPassphrase(attempt, clock)).resolves.toBe('key');
    expect(await readPassphraseFailures()).toEqual({ failures: 0, lastFailureAt: null });
  });

  it('survive closing and reopening the database (a reload)', async () => {
    await recordWrongPassphrase(T0);
    await recordWrongPassphrase(T0 + 5);
    await closeFacegateDb();
    expect(await readPassphraseFailures()).toEqual({ failures: 2, lastFailureAt: T0 + 5 });
    await expect(
      gatedPassphrase(
        () => Promise.resolve(1),
        () => T0 + 6,
      ),
    ).rejects.toThrow(/Try again in 2 s/);
  });

  it('other errors are not counted', async () => {
    await expect(
      gatedPassphrase(
        () => Promise.reject(new Error('disk')),
        () => T0,
      ),
    ).rejects.toThrow('disk');
    expect((await readPassphraseFailures()).failures).toBe(0);
  });

  it('two wrong ones at once both count', async () => {
    await Promise.all([recordWrongPassphrase(T0), recordWrongPassphrase(T0 + 1)]);
    expect((await readPassphraseFailures()).failures).toBe(2);
    expect(await clearPassphraseFailures()).toEqual({ failures: 0, lastFailureAt: null });
  });

  it('a damaged count does not lock the owner out, but the next wrong one waits the longest', async () => {
    const db = await openFacegateDb();
    await db.put('vault', {
      key: 'passphrase-failures',
      failures: -1,
      lastFailureAt: 'x' as never,
    });
    await expect(gatedPassphrase(wrong, () => T0)).rejects.toThrow(WrongSecretError);
    await expect(
      gatedPassphrase(
        () => Promise.resolve(1),
        () => T0 + 299_000,
      ),
    ).rejects.toThrow(/in 1 s/);
    await expect(
      gatedPassphrase(
        () => Promise.resolve(1),
        () => T0 + 300_000,
      ),
    ).resolves.toBe(1);
  });
});
