import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { ARGON2ID } from '../../../src/lib/crypto/kdf';
import {
  generateDataKey,
  openValue,
  randomBytes,
  SealBrokenError,
  sealValue,
  WrongSecretError,
} from '../../../src/lib/crypto/seal';
import { normalize } from '../../../src/lib/math/match';
import {
  closeFacegateDb,
  openFacegateDb,
  resetDbForTests,
  StoreError,
} from '../../../src/lib/store/db';
import { addPerson, getSamples, listPeople } from '../../../src/lib/store/people';
import {
  addAuthenticator,
  changePassphrase,
  clearFailures,
  createVault,
  getAuthenticatorWrap,
  hasVault,
  openWithAuthenticator,
  openWithPassphrase,
  passphraseProblem,
  readLockout,
  readNote,
  recordFailure,
  removeAuthenticator,
  writeNote,
} from '../../../src/lib/store/vault';
import { rawDump, rawRecords } from './raw-db';

const RIGHT = 'correct horse battery';
const OTHER = 'tr0ub4dor & 3 staple';
const AAD = 'facegate/test/value';
let seed = 1;
const unit = () =>
  normalize(Float32Array.from({ length: 8 }, () => Math.sin(seed++ * 12.9898) * 43758.5453 - 0.5));
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.slice().buffer));

const vaultDump = () => rawDump(['vault']);

beforeEach(async () => {
  await resetDbForTests();
});

describe('creating and opening the vault', () => {
  it('opens with the right passphrase; a wrong one throws WrongSecretError and changes nothing', async () => {
    expect(await hasVault()).toBe(false);
    const key = await createVault(RIGHT);
    expect(await hasVault()).toBe(true);
    // Handed out non-extractable.
    expect(key.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow();

    const sealed = await sealValue(key, { template: Float32Array.of(0.6, 0.8) }, AAD);
    const opened = await openWithPassphrase(RIGHT);
    expect(opened.extractable).toBe(false);
    const back = await openValue<{ template: Float32Array }>(opened, sealed, AAD);
    expect(Array.from(back.template)).toEqual([Float32Array.of(0.6)[0], Float32Array.of(0.8)[0]]);

    const before = await vaultDump();
    await expect(openWithPassphrase('correct horse batterY')).rejects.toThrow(WrongSecretError);
    await expect(openWithPassphrase('')).rejects.toThrow(WrongSecretError);
    expect(await vaultDump()).toBe(before);
  });

  it('stores a salted Argon2id wrap with its parameters: no key, no passphrase in plain form', async () => {
    await createVault(RIGHT);
    const { vault } = await rawRecords();
    const wrap = vault!.find((r) => (r as { key: string }).key === 'passphrase') as {
      salt: Uint8Array;
      kdf: unknown;
      iterations?: number;
      wrapped: Uint8Array;
    };
    expect(wrap.kdf).toEqual({
      name: 'Argon2id',
      memoryKiB: 65_536,
      iterations: 3,
      parallelism: 1,
    });
    expect(wrap.kdf).toEqual(ARGON2ID);
    expect(wrap.iterations).toBeUndefined();
    expect(wrap.salt).toBeInstanceOf(Uint8Array);
    expect(wrap.salt).toHaveLength(16);
    expect(wrap.wrapped).toHaveLength(40);
    const text = await vaultDump();
    expect(text).not.toContain(RIGHT);
    expect(text).not.toContain(Buffer.from(RIGHT).toString('hex'));
  });

  it('refuses a second createVault and keeps the first', async () => {
    const key = await createVault(RIGHT);
    const sealed = await sealValue(key, { n: 42 }, AAD);
    const before = await vaultDump();
    await expect(createVault(OTHER)).rejects.toThrow(StoreError);
    expect(await vaultDump()).toBe(before);
    expect(await openValue(await openWithPassphrase(RIGHT), sealed, AAD)).toEqual({ n: 42 });
    await expect(openWithPassphrase(OTHER)).rejects.toThrow(WrongSecretError);
  });

  it('refuses a passphrase shorter than 8 characters, before writing anything', async () => {
    expect(passphraseProblem('1234567')).toMatch(/at least 8/);
    expect(passphraseProblem('12345678')).toBeNull();
    expect(passphraseProblem('x'.repeat(1025))).toMatch(/too long/);
    await expect(createVault('1234567')).rejects.toThrow(StoreError);
    await expect(createVault('')).rejects.toThrow(/at least 8/);
    expect(await hasVault()).toBe(false);
    expect((await rawRecords()).vault).toEqual([]);
  });

  it('without a vault there is nothing to open', async () => {
    await expect(openWithPassphrase(RIGHT)).rejects.toThrow(StoreError);
    await expect(openWithAuthenticator(randomBytes(32))).rejects.toThrow(StoreError);
  });
});

describe('changePassphrase', () => {
  it('re-wraps the same data key: new passphrase opens, old does not, no record is re-encrypted', async () => {
    const key = await createVault(RIGHT);
    const samples = [unit(), unit()];
    const ann = await addPerson(key, {
      name: 'Ann',
      modelId: 'm',
      samples,
      thumbnail: new Blob([Uint8Array.of(0xff, 0xd8, 0xff, 1, 2, 3)], { type: 'image/jpeg' }),
    });
    await writeNote(key, 'the note');
    const sealedBefore = await sealValue(key, { secret: 'kept' }, AAD);
    const facesBefore = await rawDump(['people', 'samples', 'finetune']);
    const noteBefore = dumpOf((await rawRecords()).vault!, 'note');

    await changePassphrase(RIGHT, OTHER);

    await expect(openWithPassphrase(RIGHT)).rejects.toThrow(WrongSecretError);
    const newKey = await openWithPassphrase(OTHER);
    expect(await openValue(newKey, sealedBefore, AAD)).toEqual({ secret: 'kept' });
    const [person] = await listPeople(newKey);
    expect(bits(person!.template)).toEqual(bits(ann.template));
    expect((await getSamples(newKey, ann.id)).map((s) => bits(s.embedding))).toEqual(
      samples.map(bits),
    );
    expect(await readNote(newKey)).toBe('the note');
    // Nothing but the wrap changed.
    expect(await rawDump(['people', 'samples', 'finetune'])).toBe(facesBefore);
    expect(dumpOf((await rawRecords()).vault!, 'note')).toBe(noteBefore);
  });

  it('with a wrong old passphrase changes nothing', async () => {
    await createVault(RIGHT);
    const before = await vaultDump();
    await expect(changePassphrase('not the passphrase', OTHER)).rejects.toThrow(WrongSecretError);
    expect(await vaultDump()).toBe(before);
    await expect(openWithPassphrase(OTHER)).rejects.toThrow(WrongSecretError);
    await expect(openWithPassphrase(RIGHT)).resolves.toBeDefined();
  });

  it('refuses a new passphrase shorter than 8 characters', async () => {
    await createVault(RIGHT);
    const before = await vaultDump();
    await expect(changePassphrase(RIGHT, 'short')).rejects.toThrow(StoreError);
    expect(await vaultDump()).toBe(before);
  });
});

describe('the note', () => {
  it('starts empty, round-trips, and is sealed on disk', async () => {
    const key = await createVault(RIGHT);
    expect(await readNote(key)).toBe('');
    const text = 'Spare key: under the blue pot — ключ 🔑';
    await writeNote(key, text);
    expect(await readNote(key)).toBe(text);
    expect(await readNote(await openWithPassphrase(RIGHT))).toBe(text);
    const raw = await vaultDump();
    expect(raw).not.toContain('blue pot');
    expect(raw).not.toContain(Buffer.from('blue pot').toString('hex'));
    await writeNote(key, '');
    expect(await readNote(key)).toBe('');
  });

  it('does not open with another key', async () => {
    await createVault(RIGHT);
    await expect(readNote(await generateDataKey())).rejects.toThrow(SealBrokenError);
  });
});

describe('lockout count', () => {
  it('five failures lock out; clearFailures resets', async () => {
    expect(await readLockout()).toEqual({ failures: 0, lockedOut: false, lastFailureAt: null });
    for (let i = 1; i <= 4; i++) {
      const s = await recordFailure(1000 + i);
      expect(s).toEqual({ failures: i, lockedOut: false, lastFailureAt: 1000 + i });
    }
    expect(await recordFailure(2000)).toEqual({
      failures: 5,
      lockedOut: true,
      lastFailureAt: 2000,
    });
    expect(await readLockout()).toMatchObject({ failures: 5, lockedOut: true });
    expect(await clearFailures()).toEqual({ failures: 0, lockedOut: false, lastFailureAt: null });
    expect(await readLockout()).toEqual({ failures: 0, lockedOut: false, lastFailureAt: null });
  });

  it('persists across closing and reopening the database', async () => {
    await recordFailure(10);
    await recordFailure(20);
    await recordFailure(30);
    await closeFacegateDb();
    expect(await readLockout()).toEqual({ failures: 3, lockedOut: false, lastFailureAt: 30 });
    await closeFacegateDb();
    await recordFailure(40);
    await recordFailure(50);
    await closeFacegateDb();
    expect(await readLockout()).toMatchObject({ failures: 5, lockedOut: true });
  });

  it('two failures at once both count', async () => {
    const results = await Promise.all([recordFailure(1), recordFailure(2)]);
    expect(results.map((r) => r.failures).sort()).toEqual([1, 2]);
    expect((await readLockout()).failures).toBe(2);
    const five = await Promise.all([recordFailure(3), recordFailure(4), recordFailure(5)]);
    expect(Math.max(...five.map((r) => r.failures))).toBe(5);
    expect(await readLockout()).toMatchObject({ failures: 5, lockedOut: true });
  });

  it('a damaged count errs on the safe side: locked out', async () => {
    const db = await openFacegateDb();
    await db.put('vault', {
      key: 'lockout',
      failures: -3,
      lockedOut: false,
      lastFailureAt: null,
    });
    expect((await readLockout()).lockedOut).toBe(true);
    expect((await recordFailure(1)).lockedOut).toBe(true);
  });
});

describe('authenticator (WebAuthn PRF)', () => {
  it('the right PRF output opens the same data key; a wrong one throws WrongSecretError', async () => {
    const key = await createVault(RIGHT);
    const sealed = await sealValue(key, { template: Float32Array.of(1, 0) }, AAD);
    const prf = randomBytes(32);
    const credentialId = randomBytes(16);
    const salt = randomBytes(32);
    expect(await getAuthenticatorWrap()).toBeUndefined();
    await addAuthenticator(RIGHT, credentialId, salt, prf);
    const wrap = await getAuthenticatorWrap();
    expect(Array.from(wrap!.credentialId)).toEqual(Array.from(credentialId));
    expect(Array.from(wrap!.salt)).toEqual(Array.from(salt));

    const opened = await openWithAuthenticator(prf.slice());
    expect(opened.extractable).toBe(false);
    expect(
      Array.from((await openValue<{ template: Float32Array }>(opened, sealed, AAD)).template),
    ).toEqual([1, 0]);

    const before = await vaultDump();
    await expect(openWithAuthenticator(randomBytes(32))).rejects.toThrow(WrongSecretError);
    const flipped = prf.slice();
    flipped[31] = (flipped[31] as number) ^ 1;
    await expect(openWithAuthenticator(flipped)).rejects.toThrow(WrongSecretError);
    expect(await vaultDump()).toBe(before);

    // Still valid after a passphrase change (same data key), gone once removed.
    await changePassphrase(RIGHT, OTHER);
    expect(await openValue(await openWithAuthenticator(prf), sealed, AAD)).toBeDefined();
    await removeAuthenticator();
    await expect(openWithAuthenticator(prf)).rejects.toThrow(StoreError);
  });

  it('adding one needs the right passphrase', async () => {
    await createVault(RIGHT);
    await expect(
      addAuthenticator('wrong passphrase', randomBytes(16), randomBytes(32), randomBytes(32)),
    ).rejects.toThrow(WrongSecretError);
    expect(await getAuthenticatorWrap()).toBeUndefined();
  });
});

function dumpOf(records: unknown[], key: string): string {
  return JSON.stringify(
    records
      .filter((r) => (r as { key: string }).key === key)
      .map((r) => {
        const { sealed } = r as { sealed: { iv: Uint8Array; data: Uint8Array } };
        return [Buffer.from(sealed.iv).toString('hex'), Buffer.from(sealed.data).toString('hex')];
      }),
  );
}
