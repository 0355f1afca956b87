import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { VaultLock, type Lockable } from '../../../src/lib/state/vault-lock';

/** A vault that is open until locked. */
class FakeVault implements Lockable {
  isOpen = true;
  locks = 0;
  lock(): void {
    this.isOpen = false;
    this.locks += 1;
  }
}

/** A document whose visibility the test flips. */
class FakeDocument extends EventTarget {
  visibilityState: DocumentVisibilityState = 'visible';
  set(state: DocumentVisibilityState): void {
    this.visibilityState = state;
    this.dispatchEvent(new Event('visibilitychange'));
  }
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('VaultLock', () => {
  it('locks the open vault after the timeout without activity, and tells listeners', () => {
    const vault = new FakeVault();
    const lock = new VaultLock(vault, () => 30);
    const heard = vi.fn();
    lock.onLock(heard);
    lock.arm();
    vi.advanceTimersByTime(29_999);
    expect(vault.isOpen).toBe(true);
    vi.advanceTimersByTime(1);
    expect(vault.isOpen).toBe(false);
    expect(heard).toHaveBeenCalledTimes(1);
  });

  it('each activity restarts the timeout; the timeout is read at each arming', () => {
    const vault = new FakeVault();
    let seconds = 10;
    const lock = new VaultLock(vault, () => seconds);
    lock.arm();
    vi.advanceTimersByTime(9_000);
    seconds = 60;
    lock.arm();
    vi.advanceTimersByTime(59_000);
    expect(vault.isOpen).toBe(true);
    vi.advanceTimersByTime(1_000);
    expect(vault.locks).toBe(1);
  });

  it('arms no timer while the vault is not open', () => {
    const vault = new FakeVault();
    vault.isOpen = false;
    const lock = new VaultLock(vault, () => 5);
    lock.arm();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(vault.locks).toBe(0);
  });

  it('work that holds the vault open re-arms instead of locking, until it ends', () => {
    const vault = new FakeVault();
    const lock = new VaultLock(vault, () => 5);
    let enrolling = true;
    lock.holdOpenWhile(() => enrolling);
    lock.arm();
    vi.advanceTimersByTime(20_000);
    expect(vault.isOpen).toBe(true);
    enrolling = false;
    vi.advanceTimersByTime(5_000);
    expect(vault.locks).toBe(1);
  });

  it('locking by hand (Lock now) stops the timer: no second lock comes later', () => {
    const vault = new FakeVault();
    const lock = new VaultLock(vault, () => 5);
    lock.arm();
    lock.lock();
    expect(vault.locks).toBe(1);
    vault.isOpen = true; // opened again by a face, without activity since
    vi.advanceTimersByTime(60_000);
    expect(vault.locks).toBe(1);
  });

  it('hiding the tab locks at once; showing it again does not', () => {
    const vault = new FakeVault();
    const lock = new VaultLock(vault, () => 300);
    const doc = new FakeDocument();
    lock.lockWhenHidden(doc);
    doc.set('visible');
    expect(vault.locks).toBe(0);
    doc.set('hidden');
    expect(vault.locks).toBe(1);
  });
});
