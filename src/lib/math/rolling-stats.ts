/** Frames per second over a sliding window, and medians of per-stage times, for the on-screen stats. */
export class RollingStats {
  private readonly stamps: number[] = [];
  private readonly samples = new Map<string, number[]>();
  constructor(private readonly window = 30) {}

  frame(now: number, timings: Record<string, number>): void {
    this.stamps.push(now);
    if (this.stamps.length > this.window) this.stamps.shift();
    for (const [key, value] of Object.entries(timings)) {
      const list = this.samples.get(key) ?? [];
      list.push(value);
      if (list.length > this.window) list.shift();
      this.samples.set(key, list);
    }
  }

  fps(): number {
    const first = this.stamps[0];
    const last = this.stamps[this.stamps.length - 1];
    if (first === undefined || last === undefined || last === first) return 0;
    return ((this.stamps.length - 1) * 1000) / (last - first);
  }

  median(key: string): number {
    const list = [...(this.samples.get(key) ?? [])].sort((a, b) => a - b);
    if (list.length === 0) return 0;
    const mid = list.length >> 1;
    return list.length % 2 ? (list[mid] ?? 0) : ((list[mid - 1] ?? 0) + (list[mid] ?? 0)) / 2;
  }
}
