/**
 * One guidance line that does not flicker. Frames come many times a second and a head near the
 * edge of a view crosses it back and forth, so the line a frame asks for can change just as
 * often: no one reads that. A line once shown stays at least `holdMs`; a newer one waits and
 * shows when the hold ends, unless it is urgent (the state really changed: a view was taken, the
 * frame is ready, the face is gone), which shows at once.
 */
export class MessageHold<T> {
  #shown: T | null = null;
  #since = -Infinity;

  constructor(readonly holdMs = 600) {}

  /** The line to show at `now`, given the line this frame asks for. */
  update(now: number, next: T, urgent = false): T {
    if (this.#shown === null || urgent || now - this.#since >= this.holdMs) {
      if (this.#shown !== next) {
        this.#shown = next;
        this.#since = now;
      }
    }
    return this.#shown as T;
  }

  reset(): void {
    this.#shown = null;
    this.#since = -Infinity;
  }
}
