import { describe, expect, it } from 'vitest';
import { RollingStats } from '../../../src/lib/math/rolling-stats';

describe('RollingStats', () => {
  it('reports 0 fps and 0 medians before there is enough data', () => {
    const s = new RollingStats();
    expect(s.fps()).toBe(0);
    expect(s.median('detect')).toBe(0);
    s.frame(1000, { detect: 5 });
    expect(s.fps()).toBe(0);
    expect(s.median('detect')).toBe(5);
  });

  it('computes fps from the frame timestamps', () => {
    const s = new RollingStats();
    for (let i = 0; i < 11; i++) s.frame(i * 40, {});
    expect(s.fps()).toBeCloseTo(25, 10);
  });

  it('returns 0 fps when all frames share one timestamp', () => {
    const s = new RollingStats();
    s.frame(500, {});
    s.frame(500, {});
    expect(s.fps()).toBe(0);
  });

  it('uses only the last `window` frames for fps', () => {
    const s = new RollingStats(5);
    for (let i = 0; i < 5; i++) s.frame(i * 100, {}); // 10 fps
    for (let i = 1; i <= 4; i++) s.frame(400 + i * 20, {}); // then 50 fps
    // Window now holds t = 400, 420, 440, 460, 480.
    expect(s.fps()).toBeCloseTo(50, 10);
  });

  it('takes medians of odd and even counts per key', () => {
    const s = new RollingStats();
    s.frame(0, { a: 5, b: 1 });
    s.frame(1, { a: 1, b: 4 });
    s.frame(2, { a: 3 });
    expect(s.median('a')).toBe(3);
    expect(s.median('b')).toBe(2.5);
    expect(s.median('missing')).toBe(0);
  });

  it('keeps only the last `window` samples of each key', () => {
    const s = new RollingStats(3);
    [100, 100, 100, 1, 2, 3].forEach((v, i) => s.frame(i, { t: v }));
    expect(s.median('t')).toBe(2);
  });

  it('sorts numerically, not as strings', () => {
    const s = new RollingStats();
    [10, 9, 100].forEach((v, i) => s.frame(i, { t: v }));
    expect(s.median('t')).toBe(10);
  });
});
