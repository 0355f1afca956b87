/** What the lock needs of the vault (VaultSession, or a stand-in in tests). */
export interface Lockable {
  readonly isOpen: boolean;
  lock(): void;
}

/**
 * Locks the open vault after a stretch without activity (the timeout is read from the settings
 * at each arming, so a change applies from the next activity) and when the tab is hidden.
 */
export class VaultLock {
  #timer: ReturnType<typeof setTimeout> | null = null;
  readonly #vault: Lockable;
  readonly #timeoutSeconds: () => number;
  readonly #holds: (() => boolean)[] = [];
  readonly #lockListeners = new Set<() => void>();

  constructor(vault: Lockable, timeoutSeconds: () => number) {
    this.#vault = vault;
    this.#timeoutSeconds = timeoutSeconds;
  }

  /** Any activity in the open vault keeps it open for another timeout; a closed one has no timer. */
  arm(): void {
    this.clear();
    if (!this.#vault.isOpen) return;
    this.#timer = setTimeout(() => this.idle(), this.#timeoutSeconds() * 1000);
  }

  /** Locks the vault now (the face opens it again); listeners stop what needed it open. */
  lock(): void {
    this.clear();
    this.#vault.lock();
    for (const listener of [...this.#lockListeners]) listener();
  }

  /**
   * Work that counts as activity although no key is pressed (an enrollment in progress: the
   * camera is busy): while `busy()` holds, the timeout re-arms instead of locking.
   */
  holdOpenWhile(busy: () => boolean): void {
    this.#holds.push(busy);
  }

  onLock(listener: () => void): () => void {
    this.#lockListeners.add(listener);
    return () => this.#lockListeners.delete(listener);
  }

  /** Leaving the tab (another tab, minimised window, locked screen) locks at once. */
  lockWhenHidden(doc: Pick<Document, 'visibilityState' | 'addEventListener'>): void {
    doc.addEventListener('visibilitychange', () => {
      if (doc.visibilityState === 'hidden') this.lock();
    });
  }

  private idle(): void {
    if (this.#holds.some((busy) => busy())) this.arm();
    else this.lock();
  }

  private clear(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
