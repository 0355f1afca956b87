/** A one-line progress bar on stderr with rate and time left. */
export class ProgressBar {
  private readonly start = Date.now();
  private lastDraw = 0;
  constructor(
    private readonly total: number,
    private readonly label: string,
  ) {}

  update(done: number, extra = ''): void {
    const now = Date.now();
    if (now - this.lastDraw < 250 && done < this.total) return;
    this.lastDraw = now;
    const fraction = this.total === 0 ? 1 : done / this.total;
    const width = 30;
    const filled = Math.round(fraction * width);
    const seconds = (now - this.start) / 1000;
    const rate = done / Math.max(seconds, 1e-3);
    const left = rate > 0 ? (this.total - done) / rate : 0;
    const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
    process.stderr.write(
      `\r${this.label} [${bar}] ${done}/${this.total} ${rate.toFixed(1)}/s, ${formatSeconds(left)} left ${extra}   `,
    );
    if (done >= this.total) process.stderr.write('\n');
  }
}

export function formatSeconds(s: number): string {
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(0)}s`;
}
