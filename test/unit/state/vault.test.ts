import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { normalize } from '../../../src/lib/math/match';
import { openFacegateDb, resetDbForTests, StoreError } from '../../../src/lib/store/db';
import { countUnsealed, listPeople } from '../../../src/lib/store/people';
import {
  VaultLockedError,
  VaultSession,
  WRONG_PASSPHRASE,
} from '../../../src/lib/state/vault.svelte';

const PASS = 'correct horse battery';

beforeEach(async () => {
  await resetDbForTests();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('VaultSession', () => {
  it('goes none -> open (first secret) -> armed (lock) -> open (face) and drops the note on lock', async () => {
    const vault = new VaultSession();
    await vault.refresh();
    expect(vault.status).toBe('none');
    expect(() => vault.key()).toThrow(VaultLockedError);

    await vault.create(PASS);
    expect(vault.status).toBe('open');
    expect(vault.openedBy).toEqual({ kind: 'secret' });
    await vault.saveNote('the combination is 1234');

    vault.lock();
    expect(vault.status).toBe('armed');
    expect(vault.note).toBeNull();
    expect(vault.isOpen).toBe(false);
    await expect(vault.saveNote('x')).rejects.toThrow(VaultLockedError);

    await vault.openWithFace({ id: 'p1', name: 'Ann' });
    expect(vault.status).toBe('open');
    expect(vault.note).toBe('the combination is 1234');
    expect(vault.openedBy).toEqual({ kind: 'face', id: 'p1', name: 'Ann' });
  });

  it('a new session (a restart) is sealed until the secret; a wrong one says so', async () => {
    await new VaultSession().create(PASS);
    const vault = new VaultSession();
    await vault.refresh();
    expect(vault.status).toBe('sealed');
    expect(vault.hasKey).toBe(false);
    await expect(vault.openWithFace({ id: 'p1', name: 'Ann' })).rejects.toThrow(VaultLockedError);
    await expect(vault.unlockWithPassphrase('wrong passphrase')).rejects.toThrow(WRONG_PASSPHRASE);
    expect(vault.passphraseFailures.failures).toBe(1);
    // At once again: refused, even the right one, with the wait to show.
    await expect(vault.unlockWithPassphrase(PASS)).rejects.toThrow(StoreError);
    await expect(vault.unlockWithPassphrase(PASS)).rejects.toThrow(/Try again in 1 s/);
    expect(vault.status).toBe('sealed');
    // A new session (a reload) sees the same wait.
    const reloaded = new VaultSession();
    await reloaded.refresh();
    expect(reloaded.passphraseFailures).toMatchObject({ failures: 1 });

    const later = Date.now() + 1_001;
    vi.spyOn(Date, 'now').mockReturnValue(later);
    await vault.unlockWithPassphrase(PASS);
    expect(vault.status).toBe('open');
    expect(vault.passphraseFailures).toEqual({ failures: 0, lastFailureAt: null });
  });

  it('the fifth failure drops the key; another session sees the lockout; the secret clears it', async () => {
    const vault = new VaultSession();
    await vault.create(PASS);
    vault.lock();
    for (let i = 1; i <= 4; i++) {
      const state = await vault.failure();
      expect(state.failures).toBe(i);
      expect(vault.status).toBe('armed');
    }
    await vault.failure();
    expect(vault.status).toBe('sealed');
    expect(vault.hasKey).toBe(false);

    const otherTab = new VaultSession();
    await otherTab.refresh();
    expect(otherTab.status).toBe('sealed');
    expect(otherTab.lockout.lockedOut).toBe(true);

    await vault.unlockWithPassphrase(PASS);
    expect(vault.lockout).toEqual({ failures: 0, lockedOut: false, lastFailureAt: null });
    await otherTab.refresh();
    expect(otherTab.lockout.lockedOut).toBe(false);
  });

  it('plain records from before version 4 make it legacy, and the first secret seals them', async () => {
    const template = normalize(Float32Array.from({ length: 8 }, (_, i) => i + 1));
    const db = await openFacegateDb();
    // As version 3 wrote them: the template and the embedding in plain form.
    await db.put('people', {
      id: 'p1',
      name: 'Old Timer',
      modelId: 'm',
      template,
      createdAt: 1,
      updatedAt: 1,
      thumbnail: null,
    });
    await db.put('samples', {
      id: 's1',
      personId: 'p1',
      modelId: 'm',
      embedding: template,
      createdAt: 1,
    });
    const vault = new VaultSession();
    await vault.refresh();
    expect(vault.status).toBe('legacy');
    await vault.create(PASS);
    expect(vault.status).toBe('open');
    expect(await countUnsealed()).toBe(0);
    const [person] = await listPeople(vault.key());
    expect(person?.name).toBe('Old Timer');
    expect(Array.from(person?.template ?? [])).toEqual(Array.from(template));
  });

  it('its state cannot be set from outside', () => {
    const vault = new VaultSession();
    expect(() => {
      (vault as unknown as { status: string }).status = 'open';
    }).toThrow(TypeError);
    expect(vault.status).toBe('loading');
  });
});
