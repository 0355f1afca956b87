/**
 * Who holds the vault's data key, and what it opens. The key lives only in this tab's memory:
 * - none: nothing enrolled, no secret yet (the first enrollment sets it);
 * - legacy: people enrolled by a version without encryption, waiting for a secret to seal them;
 * - sealed: the secret is needed (after every start, and after a lockout);
 * - armed: the key is in memory, the vault is locked, a live matching face opens it;
 * - open: unlocked (by a face or by the secret); people and settings may be managed.
 * Opening decrypts the vault's note with the key: the open view shows what was decrypted, so
 * setting a flag from a console opens nothing. See docs/SECURITY.md for what this does not stop.
 */

import { WrongSecretError } from '../crypto/seal';
import { NO_FAILURES, type LockoutState } from '../security/lockout';
import { NO_PASSPHRASE_FAILURES, type PassphraseFailures } from '../security/passphrase-wait';
import { StoreError } from '../store/db';
import { gatedPassphrase, readPassphraseFailures } from '../store/passphrase-failures';
import { countPeople } from '../store/people';
import {
  clearFailures,
  createVault,
  getAuthenticatorWrap,
  hasVault,
  openWithAuthenticator,
  readLockout,
  readNote,
  recordFailure,
  unlockWithPassphrase,
  writeNote,
} from '../store/vault';

export type VaultStatus = 'loading' | 'none' | 'legacy' | 'sealed' | 'armed' | 'open';

export type OpenedBy = { kind: 'face'; id: string; name: string } | { kind: 'secret' };

/** A management action was tried while the vault is not open. */
export class VaultLockedError extends Error {
  override name = 'VaultLockedError';
  constructor() {
    super('The vault is locked. Unlock it with your face or your passphrase first.');
  }
}

export const WRONG_PASSPHRASE = 'Wrong passphrase. Nothing was changed.';

export class VaultSession {
  // Private with getters: only this class's key operations change them.
  #status = $state<VaultStatus>('loading');
  lockout = $state.raw<LockoutState>({ ...NO_FAILURES });
  /** Wrong passphrases in a row, for the wait the passphrase form shows. */
  passphraseFailures = $state.raw<PassphraseFailures>({ ...NO_PASSPHRASE_FAILURES });
  #openedBy = $state.raw<OpenedBy | null>(null);
  /** The vault's decrypted contents: present only while open. */
  #note = $state<string | null>(null);
  hasAuthenticator = $state(false);
  #key: CryptoKey | null = null;

  get status(): VaultStatus {
    return this.#status;
  }

  get openedBy(): OpenedBy | null {
    return this.#openedBy;
  }

  /** The vault's decrypted contents: present only while open. */
  get note(): string | null {
    return this.#note;
  }

  get hasKey(): boolean {
    return this.#key !== null;
  }

  get isOpen(): boolean {
    return this.#status === 'open' && this.#key !== null;
  }

  /** The data key; VaultLockedError when the secret has not been given in this tab. */
  key(): CryptoKey {
    if (!this.#key) throw new VaultLockedError();
    return this.#key;
  }

  /** Re-reads what is stored (at start, and when another tab changed it). */
  async refresh(): Promise<void> {
    const [exists, people, lockout, authenticator, passphraseFailures] = await Promise.all([
      hasVault(),
      countPeople(),
      readLockout(),
      getAuthenticatorWrap(),
      readPassphraseFailures(),
    ]);
    this.lockout = lockout;
    this.passphraseFailures = passphraseFailures;
    this.hasAuthenticator = authenticator !== undefined;
    if (!exists) {
      // Another tab may have reset everything; a key for a vault that is gone is dropped.
      this.#key = null;
      this.#openedBy = null;
      this.#note = null;
      this.#status = people > 0 ? 'legacy' : 'none';
      return;
    }
    if (lockout.lockedOut) {
      this.seal();
      return;
    }
    if (!this.#key) this.#status = 'sealed';
    else if (this.#status !== 'open') this.#status = 'armed';
  }

  /** The first secret: makes the key (sealing any plain records with it) and opens the vault. */
  async create(passphrase: string): Promise<void> {
    this.#key = await createVault(passphrase);
    await this.openBySecret();
  }

  /**
   * The secret: needed after a start and after a lockout; clears the failure count. Refused
   * (PassphraseWaitError) while the wait after wrong ones runs; an old wrap is upgraded.
   */
  async unlockWithPassphrase(passphrase: string): Promise<void> {
    try {
      this.#key = await this.checkPassphrase(() => unlockWithPassphrase(passphrase));
    } catch (e) {
      if (e instanceof WrongSecretError) throw new StoreError(WRONG_PASSPHRASE);
      throw e;
    }
    await this.openBySecret();
  }

  /** Any check of a typed passphrase: through the growing wait, keeping its state current. */
  async checkPassphrase<T>(attempt: () => Promise<T>): Promise<T> {
    try {
      return await gatedPassphrase(attempt);
    } finally {
      this.passphraseFailures = await readPassphraseFailures();
    }
  }

  async unlockWithAuthenticator(prfOutput: Uint8Array): Promise<void> {
    try {
      this.#key = await openWithAuthenticator(prfOutput);
    } catch (e) {
      if (e instanceof WrongSecretError) {
        throw new StoreError('This authenticator does not open this vault.');
      }
      throw e;
    }
    await this.openBySecret();
  }

  private async openBySecret(): Promise<void> {
    this.lockout = await clearFailures();
    await this.open({ kind: 'secret' });
  }

  /** A live face matched: the key opens the vault's contents. */
  async openWithFace(person: { id: string; name: string }): Promise<void> {
    this.lockout = await clearFailures();
    await this.open({ kind: 'face', id: person.id, name: person.name });
  }

  private async open(by: OpenedBy): Promise<void> {
    const key = this.key();
    this.#note = await readNote(key);
    this.#openedBy = by;
    this.#status = 'open';
  }

  async saveNote(text: string): Promise<void> {
    if (!this.isOpen) throw new VaultLockedError();
    await writeNote(this.key(), text);
    this.#note = text;
  }

  /** A failed face attempt; at the limit the key is dropped until the secret is given. */
  async failure(): Promise<LockoutState> {
    this.lockout = await recordFailure();
    if (this.lockout.lockedOut) this.seal();
    return this.lockout;
  }

  async refreshLockout(): Promise<LockoutState> {
    this.lockout = await readLockout();
    if (this.lockout.lockedOut) this.seal();
    return this.lockout;
  }

  /** Open -> armed: the decrypted contents are dropped; the face can open it again. */
  lock(): void {
    this.#openedBy = null;
    this.#note = null;
    if (this.#status === 'open') this.#status = this.#key ? 'armed' : 'sealed';
  }

  /** Forgets the key: the secret is needed again. */
  seal(): void {
    this.lock();
    this.#key = null;
    if (this.#status === 'armed' || this.#status === 'open' || this.#status === 'loading') {
      this.#status = 'sealed';
    }
  }
}
