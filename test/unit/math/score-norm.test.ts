import { describe, expect, it } from 'vitest';
import { normaliseScore, scoreStats } from '../../../src/lib/math/score-norm';

describe('score normalisation arithmetic', () => {
  it('maps a template whose strangers score high onto the reference scale, keeping the order', () => {
    const ref = { mean: 0, sd: 0.1 };
    const crowded = { mean: 0.1, sd: 0.2 };
    expect(normaliseScore(0.1, crowded, ref)).toBeCloseTo(0, 9);
    expect(normaliseScore(0.5, crowded, ref)).toBeCloseTo(0.2, 9);
    expect(normaliseScore(0.6, crowded, ref)).toBeGreaterThan(normaliseScore(0.5, crowded, ref));
    // A degenerate cohort leaves the score as it is.
    expect(normaliseScore(0.5, { mean: 0.1, sd: 0 }, ref)).toBe(0.5);
  });

  it('takes the mean and the population standard deviation of the cohort scores', () => {
    const s = scoreStats([0.1, 0.3, 0.2, 0.4]);
    expect(s.mean).toBeCloseTo(0.25, 12);
    expect(s.sd).toBeCloseTo(Math.sqrt(0.0125), 12);
  });

  it('refuses a cohort of fewer than two scores', () => {
    expect(() => scoreStats([0.3])).toThrow(/at least two/);
    expect(() => scoreStats([])).toThrow(/at least two/);
  });
});
