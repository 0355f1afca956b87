import { describe, expect, it } from 'vitest';
import type { BackgroundBank } from '../../../src/lib/finetune/bank';
import { bankReference, cohortStats } from '../../../src/lib/finetune/score-norm';

const dim = 3;
const unit = (v: number[]) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};

// Three people on the axes; each has two views, tilted a little toward the next axis.
const centres = [unit([1, 0, 0]), unit([0, 1, 0]), unit([0, 0, 1])];
const views = [
  unit([1, 0.2, 0]),
  unit([1, -0.2, 0]),
  unit([0, 1, 0.2]),
  unit([0, 1, -0.2]),
  unit([0.2, 0, 1]),
  unit([-0.2, 0, 1]),
];
const bank: BackgroundBank = {
  dim,
  classes: 3,
  centres: Float32Array.from(centres.flat()),
  samples: Float32Array.from(views.flat()),
  labels: Uint16Array.from([0, 0, 1, 1, 2, 2]),
  validationClasses: 0,
};
// The same bank with person 2 kept aside as the guard's validation stranger.
const withValidation: BackgroundBank = { ...bank, validationClasses: 1 };

describe('score normalisation', () => {
  it('measures a template against every bank view', () => {
    const s = cohortStats(Float32Array.from([0, 0, 1]), bank);
    const scores = views.map((v) => v[2] ?? 0);
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    expect(s.mean).toBeCloseTo(mean, 6);
    expect(s.sd).toBeCloseTo(
      Math.sqrt(scores.reduce((a, x) => a + (x - mean) ** 2, 0) / scores.length),
      6,
    );
  });

  it("leaves the guard's validation strangers out of the cohort", () => {
    const s = cohortStats(Float32Array.from([0, 0, 1]), withValidation);
    expect(s.mean).toBeCloseTo(0, 6);
    const ref = bankReference(withValidation);
    // Centre 0 against person 1's views and centre 1 against person 0's: all zero but two.
    expect(ref.mean).toBeCloseTo(0, 6);
    expect(ref.sd).toBeLessThan(bankReference(bank).sd + 1e-9);
  });

  it("takes the reference from each bank person's centre against the other people's views", () => {
    // Centre 0 against views of 1 and 2: 0, 0, 0.196, -0.196: mean 0.
    const ref = bankReference(bank);
    expect(ref.mean).toBeCloseTo(0, 6);
    const tilt = 0.2 / Math.hypot(1, 0.2);
    expect(ref.sd).toBeCloseTo(Math.sqrt((2 * tilt ** 2) / 4), 6);
  });
});
