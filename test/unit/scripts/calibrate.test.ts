import { describe, expect, it } from 'vitest';
import {
  THRESHOLD_EPSILON,
  auc,
  bestAccuracyThreshold,
  eer,
  foldAccuracy,
  rocCurve,
  tarAtFar,
  thresholdAtFar,
  verificationReport,
  type ScoredPair,
} from '../../../scripts/lib/calibrate';

function pairs(same: number[], different: number[], fold?: number): ScoredPair[] {
  return [
    ...same.map((score) => ({ score, same: true, fold })),
    ...different.map((score) => ({ score, same: false, fold })),
  ];
}

/** Deterministic PRNG so the random case is reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mannWhitney(list: ScoredPair[]): number {
  const pos = list.filter((p) => p.same);
  const neg = list.filter((p) => !p.same);
  let wins = 0;
  for (const p of pos) {
    for (const n of neg) wins += p.score > n.score ? 1 : p.score === n.score ? 0.5 : 0;
  }
  return wins / (pos.length * neg.length);
}

const separable = pairs([0.9, 0.8], [0.2, 0.1]);
const reversed = pairs([0.2, 0.1], [0.9, 0.8]);
// The genuine 0.5 ties the impostor 0.5.
const tied = pairs([0.7, 0.5], [0.5, 0.3]);

describe('rocCurve', () => {
  it('gives one point per distinct score from (0,0) to (1,1)', () => {
    expect(rocCurve(separable)).toEqual({
      far: [0, 0, 0, 0.5, 1],
      tar: [0, 0.5, 1, 1, 1],
      thresholds: [Infinity, 0.9, 0.8, 0.2, 0.1],
    });
  });

  it('moves tied scores together', () => {
    expect(rocCurve(tied)).toEqual({
      far: [0, 0, 0.5, 1],
      tar: [0, 0.5, 1, 1],
      thresholds: [Infinity, 0.7, 0.5, 0.3],
    });
  });

  it('needs both classes', () => {
    expect(() => rocCurve(pairs([0.5], []))).toThrow(/both same and different/);
  });
});

describe('auc', () => {
  it('is 1 when separable and 0 when reversed', () => {
    expect(auc(separable)).toBe(1);
    expect(auc(reversed)).toBe(0);
  });

  it('counts a tie as half: 3.5 of 4 genuine/impostor comparisons won', () => {
    expect(auc(tied)).toBeCloseTo(0.875, 12);
  });

  it('equals the Mann-Whitney probability on random scores with many ties', () => {
    const rand = mulberry32(7);
    const list: ScoredPair[] = [];
    for (let i = 0; i < 300; i++) {
      const same = rand() < 0.4;
      // Round to 0.05 so ties are common, genuine scores shifted up a bit.
      list.push({ score: Math.round((rand() + (same ? 0.3 : 0)) * 20) / 20, same });
    }
    expect(new Set(list.map((p) => p.score)).size).toBeLessThan(30);
    expect(auc(list)).toBeCloseTo(mannWhitney(list), 12);
  });
});

describe('eer', () => {
  it('is 0 at the lowest genuine score when separable', () => {
    expect(eer(separable)).toEqual({ eer: 0, threshold: 0.8 });
  });

  it('is 1 when reversed', () => {
    expect(eer(reversed).eer).toBe(1);
  });

  it('interpolates between the points that bracket FAR = FRR', () => {
    // (far, frr) goes (0, 0.5) at 0.7 -> (0.5, 0) at 0.5; they cross halfway.
    const r = eer(tied);
    expect(r.eer).toBeCloseTo(0.25, 12);
    expect(r.threshold).toBeCloseTo(0.6, 12);
  });

  it('uses the top score, not +Infinity, when the first step crosses', () => {
    expect(eer(pairs([0.4], [0.4]))).toEqual({ eer: 0.5, threshold: 0.4 });
  });
});

describe('tarAtFar', () => {
  const impostors = [0.9, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0, -0.1, -0.2];
  const list = pairs([0.95, 0.85, 0.7, 0.6, 0.55], impostors);

  it('takes the smallest threshold within the allowed false accepts', () => {
    // FAR 0.1 allows 1 of 10 impostors (0.9). Threshold 0.6 would also accept the
    // impostor at 0.6, so the tie rules it out and 0.7 is the answer.
    expect(tarAtFar(list, 0.1)).toEqual({ tar: 0.6, threshold: 0.7 });
    expect(tarAtFar(list, 0.2)).toEqual({ tar: 1, threshold: 0.55 });
    expect(tarAtFar(list, 0)).toEqual({ tar: 0.2, threshold: 0.95 });
    expect(tarAtFar(list, 1e-3)).toEqual({ tar: 0.2, threshold: 0.95 });
  });

  it('puts the threshold just above the top score when that score is an impostor', () => {
    expect(tarAtFar(pairs([0.5], [0.9, 0.1]), 0)).toEqual({
      tar: 0,
      threshold: 0.9 + THRESHOLD_EPSILON,
    });
  });
});

describe('thresholdAtFar', () => {
  const impostors = Array.from({ length: 1000 }, (_, i) => i / 1000);

  it('accepts at most floor(far * n) impostors', () => {
    expect(thresholdAtFar(impostors, 1e-3)).toEqual({
      threshold: 0.998 + THRESHOLD_EPSILON,
      achievedFar: 1e-3,
      resolvable: true,
    });
    expect(thresholdAtFar(impostors, 1e-2)).toEqual({
      threshold: 0.989 + THRESHOLD_EPSILON,
      achievedFar: 1e-2,
      resolvable: true,
    });
  });

  it('flags targets finer than the sample can resolve', () => {
    for (const far of [1e-4, 1e-5]) {
      expect(thresholdAtFar(impostors, far)).toEqual({
        threshold: 0.999 + THRESHOLD_EPSILON,
        achievedFar: 0,
        resolvable: false,
      });
    }
  });

  it('rejects every impostor tied at the cut', () => {
    expect(thresholdAtFar([0.5, 0.1, 0.5, 0.5], 0.5)).toEqual({
      threshold: 0.5 + THRESHOLD_EPSILON,
      achievedFar: 0,
      resolvable: true,
    });
  });
});

describe('bestAccuracyThreshold', () => {
  it('uses the midpoint of the gap when separable', () => {
    expect(bestAccuracyThreshold(separable)).toEqual({ threshold: 0.5, accuracy: 1 });
  });

  it('prefers the highest threshold among equally good ones', () => {
    // Reject-all and accept-all both get 2 of 4 right; nothing does better.
    expect(bestAccuracyThreshold(reversed)).toEqual({
      threshold: 0.9 + THRESHOLD_EPSILON,
      accuracy: 0.5,
    });
  });

  it('handles ties between classes', () => {
    // Cutting between 0.7 and 0.5 gets 3 of 4; no threshold can split the tie at 0.5.
    const r = bestAccuracyThreshold(tied);
    expect(r.threshold).toBeCloseTo(0.6, 12);
    expect(r.accuracy).toBe(0.75);
  });

  it('can accept everything', () => {
    expect(bestAccuracyThreshold(pairs([0.3, 0.2], []))).toEqual({ threshold: 0.2, accuracy: 1 });
  });
});

describe('foldAccuracy', () => {
  // Each fold alone is separable, but the gaps differ:
  // folds 1+2 -> best cut 0.55, folds 1+3 -> 0.5, folds 2+3 -> 0.55.
  const three = [
    ...pairs([0.9, 0.8], [0.3, 0.2], 1),
    ...pairs([0.7, 0.6], [0.5, 0.4], 2),
    ...pairs([0.95, 0.65], [0.35, 0.1], 3),
  ];

  it('picks each threshold on the other folds', () => {
    const r = foldAccuracy(three);
    expect(r.perFold).toEqual([
      { fold: 1, accuracy: 1, threshold: 0.55 },
      // 0.5 from folds 1+3 accepts fold 2's impostor at exactly 0.5.
      { fold: 2, accuracy: 0.75, threshold: 0.5 },
      { fold: 3, accuracy: 1, threshold: 0.55 },
    ]);
    expect(r.accuracy).toBeCloseTo(2.75 / 3, 12);
    // Population sd: deviations 1/12, -1/6, 1/12 -> variance 1/72.
    expect(r.std).toBeCloseTo(Math.sqrt(1 / 72), 12);
    expect(r.thresholdFromSameFold).toBe(false);
  });

  it('uses only the selected folds', () => {
    const r = foldAccuracy(three, [1, 2]);
    expect(r.perFold.map((f) => f.fold)).toEqual([1, 2]);
    expect(r.accuracy).toBe(1);
    expect(r.std).toBe(0);
  });

  it('tunes on the fold itself when only one is selected, and says so', () => {
    const r = foldAccuracy(three, [2]);
    expect(r.perFold).toEqual([{ fold: 2, accuracy: 1, threshold: 0.55 }]);
    expect(r.thresholdFromSameFold).toBe(true);
  });

  it('rejects a selected fold with no pairs', () => {
    expect(() => foldAccuracy(three, [1, 4])).toThrow(/fold 4 has no pairs/);
  });
});

describe('verificationReport', () => {
  it('collects the headline numbers', () => {
    const list = [
      ...pairs([0.9, 0.8], [0.3, 0.2], 1),
      ...pairs([0.7, 0.6], [0.5, 0.4], 2),
      ...pairs([0.95, 0.65], [0.35, 0.1], 3),
    ];
    const r = verificationReport(list);
    expect(r.accuracy).toBeCloseTo(2.75 / 3, 12);
    expect(r.accuracyStd).toBeCloseTo(Math.sqrt(1 / 72), 12);
    expect(r).toMatchObject({
      thresholdFromSameFold: false,
      tarAtFar1e3: 1,
      eer: 0,
      auc: 1,
      pairs: 12,
    });
    expect(verificationReport(list, [3])).toMatchObject({
      accuracy: 1,
      thresholdFromSameFold: true,
      pairs: 4,
    });
  });

  it('treats pairs without a fold as one fold', () => {
    expect(verificationReport(separable)).toMatchObject({ accuracy: 1, pairs: 4 });
  });
});
