/**
 * Holds a running fine-tune between its steps while the page asks it to (a face attempt or an
 * enrollment needs the cores: on a 2-core machine a fine-tune beside an unlock took 40 % of a core
 * and the attempt analysed 18-23 frames a second instead of 28-29, docs/BENCHMARKS.md).
 *
 * The training loop never waits on anything but microtasks (tfjs reads resolve at once on the CPU
 * backends), so the worker would not see a 'hold' message until the whole run ended: each
 * mayContinue() first lets queued tasks, the page's messages among them, run.
 */
export class RunHold {
  #held = false;
  #heldSince = 0;
  #heldMs = 0;
  #waiting: (() => void)[] = [];

  constructor(
    private readonly clock: () => number = () => performance.now(),
    private readonly nextTask: () => Promise<void> = yieldToTasks,
  ) {}

  get held(): boolean {
    return this.#held;
  }

  hold(): void {
    if (this.#held) return;
    this.#held = true;
    this.#heldSince = this.clock();
  }

  release(): void {
    if (!this.#held) return;
    this.#held = false;
    this.#heldMs += this.clock() - this.#heldSince;
    for (const go of this.#waiting.splice(0)) go();
  }

  /** Time spent held so far (ms), the current hold included: a run's own clock leaves it out. */
  heldMs(): number {
    return this.#heldMs + (this.#held ? this.clock() - this.#heldSince : 0);
  }

  /** Resolves when the next step may run: after the queued tasks, and once nothing holds it. */
  async mayContinue(): Promise<void> {
    await this.nextTask();
    while (this.#held) await new Promise<void>((go) => this.#waiting.push(go));
  }
}

/** A macrotask turn (no timer clamping): messages queued for this thread are handled first. */
export function yieldToTasks(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
