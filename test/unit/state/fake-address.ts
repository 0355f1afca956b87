import type { HashHost } from '../../../src/lib/state/router.svelte';

/** The address bar in Node: setting the hash fires hashchange later, as a browser does. */
export class FakeAddress implements HashHost {
  /** A hash was set and its hashchange has not fired yet. */
  pending = false;
  readonly location: { hash: string };
  readonly #listeners: (() => void)[] = [];

  constructor(hash = '') {
    let current = hash;
    const mark = () => (this.pending = true);
    this.location = {
      get hash() {
        return current;
      },
      set hash(value: string) {
        current = value;
        mark();
      },
    };
  }

  addEventListener(_type: 'hashchange', listener: () => void): void {
    this.#listeners.push(listener);
  }

  /** The browser's hashchange, after the hash was set (or typed, or history moved). */
  fire(): void {
    this.pending = false;
    for (const l of this.#listeners) l();
  }

  type(hash: string): void {
    this.location.hash = hash;
    this.fire();
  }
}
