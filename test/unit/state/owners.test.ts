import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createOwners } from '../../../src/lib/state/owners';
import { VaultLockedError } from '../../../src/lib/state/vault.svelte';
import { resetDbForTests } from '../../../src/lib/store/db';
import { getSettings } from '../../../src/lib/store/settings';
import { FakeAddress } from './fake-address';

const PASS = 'correct horse battery';
const LOCKED = new VaultLockedError().message;

beforeEach(async () => {
  await resetDbForTests();
});
afterEach(() => {
  vi.useRealTimers();
});

async function app(hash: string, open: boolean) {
  const address = new FakeAddress(hash);
  const owners = createOwners(address);
  owners.router.start();
  await owners.settings.load();
  await owners.vault.refresh();
  if (open) expect(await owners.access.createVault(PASS, PASS)).toBeNull();
  return { address, ...owners };
}

describe('owners: management needs the open vault', () => {
  it('a closed vault: settings, enrollment and people changes say so and change nothing', async () => {
    const { settings, notices, face, people } = await app('#/settings', false);
    await settings.updateSetting('lockTimeoutSeconds', 120);
    expect(notices.text).toBe(LOCKED);
    expect(settings.values.lockTimeoutSeconds).toBe(60);
    expect((await getSettings()).lockTimeoutSeconds).toBe(60);

    notices.dismiss();
    face.startEnrollment();
    expect(notices.text).toBe(LOCKED);
    expect(face.mode).toBe('none');

    notices.dismiss();
    await people.rename('someone', 'Bob');
    expect(notices.text).toBe(LOCKED);
  });

  it('firstRunDone is stored with the vault closed (it guards nothing)', async () => {
    const { settings, notices } = await app('', false);
    await settings.updateSetting('firstRunDone', true);
    expect(notices.text).toBeNull();
    expect((await getSettings()).firstRunDone).toBe(true);
  });

  it('the open vault: a setting is stored; turning photos off re-reads the people', async () => {
    const { settings, notices, people } = await app('#/settings', true);
    await settings.updateSetting('lockTimeoutSeconds', 120);
    expect(notices.text).toBeNull();
    expect((await getSettings()).lockTimeoutSeconds).toBe(120);
    const reload = vi.spyOn(people, 'reload');
    await settings.updateSetting('storeThumbnails', false);
    expect(reload).toHaveBeenCalledTimes(1);
    expect((await getSettings()).storeThumbnails).toBe(false);
  });
});

describe('owners: work tied to a screen', () => {
  it('a re-enroll starts with its person; it survives the way to Enroll; leaving Enroll drops it', async () => {
    const { address, router, face } = await app('#/people', true);
    face.startEnrollment('p1');
    expect(face.mode).toBe('enroll');
    router.go('enroll');
    address.fire();
    expect(router.screen).toBe('enroll');
    expect(face.mode).toBe('enroll');
    expect(face.reenrollId).toBe('p1');

    // Captured, being named, then left: the samples must not become a new person's.
    face.enrollment.status = 'naming';
    address.type('#/people');
    expect(face.mode).toBe('none');
    expect(face.reenrollId).toBeNull();
    expect(face.enrollment.status).toBe('capturing');
  });

  it("a new person's naming waits for the return to Enroll, as before", async () => {
    const { address, face } = await app('#/enroll', true);
    face.startEnrollment();
    face.enrollment.status = 'naming';
    address.type('#/help');
    expect(face.mode).toBe('none');
    expect(face.enrollment.status).toBe('naming');
  });

  it('leaving Unlock cancels the attempt in progress', async () => {
    const { address, face } = await app('#/unlock', true);
    expect(await face.startVerification()).toBe(true);
    expect(face.mode).toBe('verify');
    expect(face.verification.status).toBe('looking');
    address.type('#/people');
    expect(face.mode).toBe('none');
    expect(face.verification.status).toBe('idle');
  });

  it('locking stops a capture; the idle lock waits while an enrollment is in progress', async () => {
    const { address, face, lock, vault } = await app('#/enroll', true);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    face.startEnrollment();
    lock.arm();
    vi.advanceTimersByTime(5 * 60_000);
    expect(vault.status).toBe('open');
    address.type('#/camera');
    vi.advanceTimersByTime(60_000);
    expect(vault.status).toBe('armed');

    // Locked (armed, not open): a new capture waits for the vault.
    address.type('#/enroll');
    face.startEnrollment();
    expect(face.mode).toBe('none');
  });

  it('Lock now ends an enrollment capture', async () => {
    const { face, lock, vault } = await app('#/enroll', true);
    face.startEnrollment();
    lock.lock();
    expect(vault.status).toBe('armed');
    expect(face.mode).toBe('none');
  });
});
