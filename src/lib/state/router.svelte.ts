export type Screen = 'unlock' | 'enroll' | 'people' | 'settings' | 'camera' | 'lab' | 'help';
export const SCREENS: readonly Screen[] = [
  'unlock',
  'enroll',
  'people',
  'settings',
  'camera',
  'lab',
  'help',
];

/** The screen an address's hash names ('#/people' or '#people'); Unlock for anything else. */
export function screenFromHash(hash: string): Screen {
  const name = hash.replace(/^#\/?/, '');
  return (SCREENS as readonly string[]).includes(name) ? (name as Screen) : 'unlock';
}

export const hashOf = (screen: Screen): string => `#/${screen}`;

/** Where the route lives: the page's address (window), or a stand-in in Node tests. */
export interface HashHost {
  readonly location: { hash: string };
  addEventListener(type: 'hashchange', listener: () => void): void;
}

/** Told after the screen changed; `from` is the screen just left. */
export type ScreenChangeListener = (from: Screen, to: Screen) => void;

/**
 * The screen on show, from the address's hash (links, back/forward and typed addresses all land
 * here). Owners that hold work tied to a screen subscribe to changes and stop it themselves.
 */
export class Router {
  #screen = $state<Screen>('unlock');
  readonly #host: HashHost;
  // Listeners, not shown state: nothing renders from this set.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #listeners = new Set<ScreenChangeListener>();

  constructor(host: HashHost) {
    this.#host = host;
    this.#screen = screenFromHash(host.location.hash);
  }

  get screen(): Screen {
    return this.#screen;
  }

  /** The address names no screen: a visit to the bare address (the first-run help may show). */
  get bare(): boolean {
    return this.#host.location.hash === '';
  }

  /** Follows the address from now on. */
  start(): void {
    this.route();
    this.#host.addEventListener('hashchange', () => this.route());
  }

  go(screen: Screen): void {
    // Setting the hash routes through hashchange, so history and links behave alike.
    if (this.#host.location.hash !== hashOf(screen)) this.#host.location.hash = hashOf(screen);
    else this.route();
  }

  onChange(listener: ScreenChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  private route(): void {
    const from = this.#screen;
    const to = screenFromHash(this.#host.location.hash);
    if (to === from) return;
    this.#screen = to;
    for (const listener of [...this.#listeners]) listener(from, to);
  }
}
