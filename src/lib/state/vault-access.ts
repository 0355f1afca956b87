import { WrongSecretError } from '../crypto/seal';
import { evaluatePrf, registerPrf } from '../crypto/webauthn-prf';
import { announceChange } from '../store/changes';
import { StoreError } from '../store/db';
import {
  addAuthenticator,
  changePassphrase,
  getAuthenticatorWrap,
  openWithPassphrase,
  passphraseProblem,
  removeAuthenticator,
} from '../store/vault';
import { errorText } from './error-text';
import { mayManage } from './manage-gate';
import type { Notices } from './notices.svelte';
import type { People } from './people.svelte';
import { VaultLockedError, type VaultSession } from './vault.svelte';
import type { VaultLock } from './vault-lock';

/**
 * The vault's secrets as the screens use them: setting the first passphrase, opening with the
 * passphrase or the authenticator, changing them. Each returns an error sentence, or null.
 */
export class VaultAccess {
  readonly #vault: VaultSession;
  readonly #notices: Notices;
  readonly #lock: VaultLock;
  readonly #people: People;
  readonly #openedListeners = new Set<() => void>();

  constructor(vault: VaultSession, notices: Notices, lock: VaultLock, people: People) {
    this.#vault = vault;
    this.#notices = notices;
    this.#lock = lock;
    this.#people = people;
  }

  /** `listener` runs once a secret opened the vault and the people were read with its key. */
  onOpened(listener: () => void): () => void {
    this.#openedListeners.add(listener);
    return () => this.#openedListeners.delete(listener);
  }

  /** The first secret (first enrollment, or sealing people enrolled before encryption). */
  async createVault(passphrase: string, confirm: string): Promise<string | null> {
    if (passphrase !== confirm) return 'The two passphrases differ.';
    const problem = passphraseProblem(passphrase);
    if (problem) return problem;
    return this.withKey(() => this.#vault.create(passphrase), 'vault');
  }

  /** The secret: opens the vault (and turns face unlock back on after a lockout). */
  unlockWithPassphrase(passphrase: string): Promise<string | null> {
    return this.withKey(() => this.#vault.unlockWithPassphrase(passphrase), 'lockout');
  }

  /** This device's authenticator instead of typing the passphrase (where it has PRF). */
  unlockWithAuthenticator(): Promise<string | null> {
    return this.withKey(async () => {
      const wrap = await getAuthenticatorWrap();
      if (!wrap) throw new StoreError('No authenticator is set up for this vault.');
      await this.#vault.unlockWithAuthenticator(await evaluatePrf(wrap.credentialId, wrap.salt));
    }, 'lockout');
  }

  /** Adds this device's authenticator as a second way to the key; needs the passphrase. */
  async addAuthenticator(passphrase: string): Promise<string | null> {
    if (!this.#vault.isOpen) return new VaultLockedError().message;
    try {
      // Checked before the authenticator is asked, and through the same wait as the unlock form.
      await this.#vault.checkPassphrase(() => openWithPassphrase(passphrase));
    } catch (e) {
      return e instanceof WrongSecretError
        ? 'Wrong passphrase. Nothing was changed.'
        : errorText(e);
    }
    try {
      const { credentialId, salt, prfOutput } = await registerPrf();
      await addAuthenticator(passphrase, credentialId, salt, prfOutput);
      await this.#vault.refresh();
      announceChange({ kind: 'vault' });
      return null;
    } catch (e) {
      return errorText(e);
    }
  }

  async removeAuthenticator(): Promise<void> {
    if (!mayManage(this.#vault, this.#notices)) return;
    try {
      await removeAuthenticator();
      await this.#vault.refresh();
      announceChange({ kind: 'vault' });
    } catch (e) {
      this.#notices.show(errorText(e));
    }
  }

  async changePassphrase(
    oldPassphrase: string,
    newPassphrase: string,
    confirm: string,
  ): Promise<string | null> {
    if (!this.#vault.isOpen) return new VaultLockedError().message;
    if (newPassphrase !== confirm) return 'The two new passphrases differ.';
    try {
      await this.#vault.checkPassphrase(() => changePassphrase(oldPassphrase, newPassphrase));
      return null;
    } catch (e) {
      return e instanceof WrongSecretError
        ? 'Wrong current passphrase. Nothing was changed.'
        : errorText(e);
    }
  }

  /** Runs a secret's way into the vault; tells other tabs, then loads what the key opens. */
  private async withKey(
    open: () => Promise<void>,
    change: 'vault' | 'lockout',
  ): Promise<string | null> {
    try {
      await open();
      announceChange({ kind: change });
      this.#lock.arm();
      await this.#people.reload();
      for (const listener of [...this.#openedListeners]) listener();
      return null;
    } catch (e) {
      return errorText(e);
    }
  }
}
