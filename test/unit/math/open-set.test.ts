import { describe, expect, it } from 'vitest';
import {
  identifyThreshold,
  LEVEL_FAR,
  perAttemptFar,
  thresholdAtFar,
} from '../../../src/lib/math/open-set';

/** The shipped model's calibration (models/manifest.json at the time of writing). */
const shipped = {
  'far_1e-3': 0.3328426442794706,
  'far_1e-4': 0.4039963486110654,
  'far_1e-5': 0.4771868566097596,
};

describe('thresholdAtFar', () => {
  it('returns the calibrated thresholds at the calibrated rates', () => {
    expect(thresholdAtFar(shipped, 1e-3)).toBeCloseTo(shipped['far_1e-3'], 12);
    expect(thresholdAtFar(shipped, 1e-4)).toBeCloseTo(shipped['far_1e-4'], 12);
    expect(thresholdAtFar(shipped, 1e-5)).toBeCloseTo(shipped['far_1e-5'], 12);
  });

  it('is linear in log10 FAR between calibrated points', () => {
    const mid = (shipped['far_1e-3'] + shipped['far_1e-4']) / 2;
    expect(thresholdAtFar(shipped, Math.pow(10, -3.5))).toBeCloseTo(mid, 12);
  });

  it("extrapolates with the end segments' slopes", () => {
    const low = shipped['far_1e-5'] - shipped['far_1e-4'];
    expect(thresholdAtFar(shipped, 1e-7)).toBeCloseTo(shipped['far_1e-5'] + 2 * low, 12);
    const high = shipped['far_1e-4'] - shipped['far_1e-3'];
    expect(thresholdAtFar(shipped, 1e-2)).toBeCloseTo(shipped['far_1e-3'] - high, 12);
  });

  it('falls monotonically with the rate and never exceeds 1', () => {
    let last = -Infinity;
    for (let e = 0; e <= 40; e += 0.25) {
      const t = thresholdAtFar(shipped, Math.pow(10, -e));
      expect(t).toBeGreaterThanOrEqual(last);
      expect(t).toBeLessThanOrEqual(1);
      last = t;
    }
    expect(thresholdAtFar(shipped, 1e-40)).toBe(1);
  });

  it('refuses rates outside (0, 1] and calibrations that do not rise', () => {
    expect(() => thresholdAtFar(shipped, 0)).toThrow();
    expect(() => thresholdAtFar(shipped, 2)).toThrow();
    expect(() => thresholdAtFar(shipped, Number.NaN)).toThrow();
    const flat = { 'far_1e-3': 0.4, 'far_1e-4': 0.4, 'far_1e-5': 0.5 };
    expect(() => thresholdAtFar(flat, 1e-4)).toThrow(/rise/);
  });
});

describe('identifyThreshold', () => {
  it('is the 1:1 threshold for one person (or none)', () => {
    for (const level of ['far_1e-3', 'far_1e-4', 'far_1e-5'] as const) {
      expect(identifyThreshold(shipped, level, 1)).toBe(shipped[level]);
      expect(identifyThreshold(shipped, level, 0)).toBe(shipped[level]);
    }
  });

  it('holds each comparison to FAR(level) / N', () => {
    expect(identifyThreshold(shipped, 'far_1e-3', 10)).toBeCloseTo(shipped['far_1e-4'], 12);
    expect(identifyThreshold(shipped, 'far_1e-3', 100)).toBeCloseTo(shipped['far_1e-5'], 12);
    expect(identifyThreshold(shipped, 'far_1e-4', 50)).toBeCloseTo(
      thresholdAtFar(shipped, 2e-6),
      12,
    );
  });

  it('rises with the number enrolled', () => {
    let last = -Infinity;
    for (let n = 1; n <= 1000; n++) {
      const t = identifyThreshold(shipped, 'far_1e-4', n);
      expect(t).toBeGreaterThanOrEqual(last);
      last = t;
    }
  });

  it('keeps the per-attempt rate at or below the level (union bound)', () => {
    for (const n of [2, 10, 50, 100, 1000]) {
      const f = LEVEL_FAR['far_1e-3'];
      expect(perAttemptFar(f / n, n)).toBeLessThanOrEqual(f);
      expect(perAttemptFar(f / n, n)).toBeGreaterThan(0.99 * f);
    }
    expect(perAttemptFar(1e-3, 100)).toBeCloseTo(1 - Math.pow(1 - 1e-3, 100), 12);
  });
});
