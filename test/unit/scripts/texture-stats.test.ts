import { describe, expect, it } from 'vitest';
import {
  auc,
  groupWeightedQuantile,
  leaveOnePersonOut,
  quantile,
  windowScores,
} from '../../../scripts/lib/texture-stats';

describe('quantile', () => {
  it('interpolates between order statistics and skips non-finite values', () => {
    expect(quantile([3, 1, 2, NaN], 0.5)).toBe(2);
    expect(quantile([0, 10], 0.25)).toBe(2.5);
    expect(quantile([], 0.5)).toBeNaN();
  });
});

describe('groupWeightedQuantile', () => {
  it('gives every group the same weight, however many values it has', () => {
    // Pooled, the long group's 0.9s would dominate; weighted, each group is half.
    const long = Array.from({ length: 99 }, () => 0.9);
    expect(groupWeightedQuantile([long, [0.1]], 0.4)).toBe(0.1);
    expect(groupWeightedQuantile([long, [0.1]], 0.6)).toBe(0.9);
  });
});

describe('windowScores', () => {
  it('takes the median of each window and needs a face in half of its frames', () => {
    expect(windowScores([0.1, 0.5, 0.9, null, null, null, 0.2, 0.4], 3)).toEqual([
      0.5,
      NaN,
      0.30000000000000004,
    ]);
  });
  it('drops a last window shorter than half a window', () => {
    expect(windowScores([1, 1, 1, 1, 1], 4)).toEqual([1]);
  });
});

describe('auc', () => {
  it('is 1 when every genuine value is above every attack value, 0.5 on ties', () => {
    expect(auc([0.8, 0.9], [0.1, 0.2])).toBe(1);
    expect(auc([0.5], [0.5])).toBe(0.5);
    expect(auc([0.1], [0.9])).toBe(0);
  });
});

describe('leaveOnePersonOut', () => {
  it('places each threshold from the other people only', () => {
    const people = new Map([
      ['a', [0.9, 0.95]],
      ['b', [0.8, 0.85]],
      ['c', [0.2, 0.3]],
    ]);
    const folds = leaveOnePersonOut(people, [0.1, 0.5], 0);
    const byPerson = Object.fromEntries(folds.map((f) => [f.heldOut, f]));
    // Held out c: the threshold is the lowest window of a and b, and c is refused throughout.
    expect(byPerson.c!.threshold).toBe(0.8);
    expect(byPerson.c!.heldOutRefusal).toBe(1);
    expect(byPerson.c!.attackAcceptance).toBe(0);
    expect(byPerson.c!.attackMargin).toBeCloseTo(0.3);
    // Held out a: c sets the threshold (0.2), so a passes and one attack window does too.
    expect(byPerson.a!.threshold).toBe(0.2);
    expect(byPerson.a!.heldOutRefusal).toBe(0);
    expect(byPerson.a!.attackAcceptance).toBe(0.5);
  });
});
