import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { ARGON2ID, PBKDF2_ITERATIONS } from '../../../src/lib/crypto/kdf';
import {
  generateDataKey,
  openValue,
  passphraseKek,
  randomBytes,
  sealValue,
  WrongSecretError,
  wrapDataKey,
} from '../../../src/lib/crypto/seal';
import { normalize } from '../../../src/lib/math/match';
import { openFacegateDb, resetDbForTests, StoreError } from '../../../src/lib/store/db';
import { addPerson, listPeople } from '../../../src/lib/store/people';
import type { PassphraseWrap } from '../../../src/lib/store/schema';
import {
  changePassphrase,
  openWithPassphrase,
  readNote,
  unlockWithPassphrase,
  writeNote,
} from '../../../src/lib/store/vault';
import { rawDump, rawRecords } from './raw-db';

const RIGHT = 'correct horse battery';

beforeEach(async () => {
  await resetDbForTests();
});

const storedWrap = async () =>
  (await rawRecords()).vault!.find(
    (r) => (r as { key: string }).key === 'passphrase',
  ) as PassphraseWrap;

/**
 * A vault as versions before Argon2id left it: the data key wrapped under PBKDF2-SHA256 with
 * 600,000 rounds, the record without `kdf`, a person and a note sealed with the data key.
 */
async function pbkdf2Vault(): Promise<{ dataKey: CryptoKey; personTemplate: Float32Array }> {
  const dataKey = await generateDataKey();
  const salt = randomBytes(16);
  const kek = await passphraseKek(RIGHT, salt, {
    name: 'PBKDF2-SHA256',
    iterations: PBKDF2_ITERATIONS,
  });
  const db = await openFacegateDb();
  const old = {
    key: 'passphrase',
    salt,
    iterations: PBKDF2_ITERATIONS,
    wrapped: await wrapDataKey(kek, dataKey),
    changedAt: 1_600_000_000_000,
  } as const;
  await db.put('vault', old);
  await writeNote(dataKey, 'kept across the upgrade');
  const template = normalize(Float32Array.of(1, 2, 3, 4));
  const person = await addPerson(dataKey, {
    name: 'Ann',
    modelId: 'm',
    samples: [template],
    thumbnail: null,
  });
  return { dataKey, personTemplate: person.template };
}

describe('a PBKDF2 vault from before Argon2id', () => {
  it('still opens, and openWithPassphrase alone changes nothing stored', async () => {
    await pbkdf2Vault();
    const before = await rawDump(['vault']);
    expect(await readNote(await openWithPassphrase(RIGHT))).toBe('kept across the upgrade');
    await expect(openWithPassphrase('not the passphrase')).rejects.toThrow(WrongSecretError);
    expect(await rawDump(['vault'])).toBe(before);
  });

  it('a wrong passphrase at unlock neither opens nor upgrades it', async () => {
    await pbkdf2Vault();
    const before = await rawDump(['vault']);
    await expect(unlockWithPassphrase('not the passphrase')).rejects.toThrow(WrongSecretError);
    expect(await rawDump(['vault'])).toBe(before);
  });

  it('the next passphrase unlock re-wraps the same data key under Argon2id, nothing else', async () => {
    const { dataKey, personTemplate } = await pbkdf2Vault();
    const sealedElsewhere = await sealValue(dataKey, { n: 7 }, 'facegate/test');
    const oldWrap = await storedWrap();
    const facesBefore = await rawDump(['people', 'samples', 'finetune']);
    const noteBefore = JSON.stringify(
      (await rawRecords()).vault!.filter((r) => (r as { key: string }).key === 'note'),
      (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v),
    );

    const key = await unlockWithPassphrase(RIGHT);
    expect(key.extractable).toBe(false);

    const wrap = await storedWrap();
    expect(wrap.kdf).toEqual(ARGON2ID);
    expect(wrap.iterations).toBeUndefined();
    expect(Buffer.from(wrap.salt).equals(Buffer.from(oldWrap.salt))).toBe(false);
    expect(wrap.salt).toHaveLength(16);
    expect(wrap.changedAt).toBeGreaterThan(oldWrap.changedAt);
    // The same data key: what it sealed before opens with the key the new wrap gives.
    const again = await openWithPassphrase(RIGHT);
    expect(await openValue(again, sealedElsewhere, 'facegate/test')).toEqual({ n: 7 });
    expect(await readNote(again)).toBe('kept across the upgrade');
    const [person] = await listPeople(again);
    expect(Array.from(person!.template)).toEqual(Array.from(personTemplate));
    // No face record and no note was re-encrypted.
    expect(await rawDump(['people', 'samples', 'finetune'])).toBe(facesBefore);
    expect(
      JSON.stringify(
        (await rawRecords()).vault!.filter((r) => (r as { key: string }).key === 'note'),
        (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v),
      ),
    ).toBe(noteBefore);
    await expect(openWithPassphrase('not the passphrase')).rejects.toThrow(WrongSecretError);
  });

  it('an upgraded vault is not re-wrapped again', async () => {
    await pbkdf2Vault();
    await unlockWithPassphrase(RIGHT);
    const after = await rawDump(['vault']);
    await unlockWithPassphrase(RIGHT);
    expect(await rawDump(['vault'])).toBe(after);
  });

  it('a passphrase change moves it to Argon2id too', async () => {
    await pbkdf2Vault();
    await changePassphrase(RIGHT, 'a new passphrase');
    expect((await storedWrap()).kdf).toEqual(ARGON2ID);
    expect(await readNote(await openWithPassphrase('a new passphrase'))).toBe(
      'kept across the upgrade',
    );
  });
});

describe('a crafted passphrase record', () => {
  it('is refused before any derivation when it asks for absurd work', async () => {
    await pbkdf2Vault();
    const db = await openFacegateDb();
    const wrap = await storedWrap();
    const crafted: PassphraseWrap[] = [
      { ...wrap, iterations: 1e12 },
      { ...wrap, iterations: 1 },
      { ...wrap, iterations: undefined },
      { ...wrap, kdf: { ...ARGON2ID, memoryKiB: 16 * 1024 * 1024 } },
      { ...wrap, kdf: { ...ARGON2ID, iterations: 1_000 } },
      { ...wrap, kdf: { name: 'scrypt' } as unknown as PassphraseWrap['kdf'] },
      { ...wrap, salt: new Uint8Array(2) },
    ];
    for (const record of crafted) {
      await db.put('vault', record);
      const started = performance.now();
      await expect(unlockWithPassphrase(RIGHT)).rejects.toThrow(StoreError);
      await expect(openWithPassphrase(RIGHT)).rejects.toThrow(/settings this version refuses/);
      expect(performance.now() - started).toBeLessThan(100);
    }
  });
});
