import { describe, expect, it } from 'vitest';
import {
  cosine,
  decideRanked,
  duplicateOf,
  FrameDecision,
  identify,
  isSecurityLevel,
  normalize,
  SECURITY_LEVELS,
  template,
  verifyScore,
} from '../../../src/lib/math/match';
import { identifyThreshold } from '../../../src/lib/math/open-set';
import { SECURITY_LEVEL_TEXT } from '../../../src/ui/text/security-levels';

const v = (...xs: number[]) => Float32Array.from(xs);

/** Deterministic unit vectors (mulberry32), so failures reproduce. */
function randomUnit(seed: number, dim = 16): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(dim);
  for (let i = 0; i < dim; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  }
  return normalize(out);
}

/** A unit vector at cosine `c` to unit `base`, along unit `other` (made orthogonal first). */
function atCosine(base: Float32Array, other: Float32Array, c: number): Float32Array {
  const d = cosine(base, other);
  const orth = normalize(other.map((x, i) => x - d * (base[i] as number)));
  const s = Math.sqrt(1 - c * c);
  return normalize(base.map((x, i) => c * x + s * (orth[i] as number)));
}

describe('cosine / normalize', () => {
  it('scores identical, opposite and orthogonal directions', () => {
    expect(cosine(v(1, 0), v(3, 0))).toBeCloseTo(1, 12);
    expect(cosine(v(1, 0), v(-2, 0))).toBeCloseTo(-1, 12);
    expect(cosine(v(1, 0), v(0, 5))).toBe(0);
    expect(cosine(v(0, 0), v(1, 0))).toBe(0);
  });

  it('throws on a length mismatch', () => {
    expect(() => cosine(v(1, 0), v(1, 0, 0))).toThrow(/lengths differ/);
  });

  it('normalises to unit length and refuses a zero vector', () => {
    const n = normalize(v(3, 4));
    expect(n[0]).toBeCloseTo(0.6, 6);
    expect(n[1]).toBeCloseTo(0.8, 6);
    expect(() => normalize(v(0, 0))).toThrow();
    expect(() => normalize(v(Number.NaN, 1))).toThrow();
  });
});

describe('template', () => {
  it('is the normalised mean', () => {
    const t = template([v(1, 0), v(0, 1)]);
    expect(t[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(t[1]).toBeCloseTo(Math.SQRT1_2, 6);
  });

  it('of one sample is that sample', () => {
    const s = randomUnit(1);
    expect(cosine(template([s]), s)).toBeCloseTo(1, 6);
  });

  it('throws on no samples, mismatched or empty dimensions', () => {
    expect(() => template([])).toThrow(/at least one/);
    expect(() => template([v(1, 0), v(1, 0, 0)])).toThrow(/dimensions differ/);
    expect(() => template([new Float32Array(0)])).toThrow(/empty/);
  });
});

describe('security levels', () => {
  it('offers each calibrated threshold, in plain words in Settings', () => {
    expect(SECURITY_LEVELS.map((s) => s.level)).toEqual(['far_1e-3', 'far_1e-4', 'far_1e-5']);
    expect(SECURITY_LEVEL_TEXT['far_1e-4'].label).toMatch(/recommended/);
    expect(SECURITY_LEVEL_TEXT['far_1e-5'].description).toMatch(/100,000/);
    expect(isSecurityLevel('far_1e-4')).toBe(true);
    expect(isSecurityLevel('far_1e-6')).toBe(false);
  });
});

describe('verifyScore', () => {
  it('is the cosine to the template, not the best sample', () => {
    const probe = v(1, 0);
    const person = { template: v(0, 1), samples: [v(1, 0)] };
    expect(verifyScore(probe, person)).toBe(0);
  });

  it("puts the cosine on the reference scale when the person's template has a score norm", () => {
    const probe = v(1, 0);
    const person = { template: v(Math.SQRT1_2, Math.SQRT1_2) };
    const norm = { template: { mean: 0.1, sd: 0.2 }, reference: { mean: 0, sd: 0.1 } };
    expect(verifyScore(probe, { ...person, norm })).toBeCloseTo((Math.SQRT1_2 - 0.1) / 2, 6);
    expect(verifyScore(probe, { ...person, norm: undefined })).toBeCloseTo(Math.SQRT1_2, 6);
  });
});

describe('identify', () => {
  const base = randomUnit(10);
  const ann = { id: 'a', name: 'Ann', template: base };
  const bob = { id: 'b', name: 'Bob', template: atCosine(base, randomUnit(11), 0.2) };

  it('ranks everyone and returns the clear best above the threshold', () => {
    const probe = atCosine(base, randomUnit(12), 0.8);
    const r = identify(probe, [bob, ann], 0.5);
    expect(r.ranked.map((c) => c.id)).toEqual(['a', 'b']);
    expect(r.best?.id).toBe('a');
    expect(r.best?.score).toBeCloseTo(0.8, 5);
    expect(r.reason).toBe('match');
  });

  it('returns null below the threshold', () => {
    const probe = atCosine(base, randomUnit(12), 0.4);
    const r = identify(probe, [ann, bob], 0.5);
    expect(r.best).toBeNull();
    expect(r.reason).toBe('below-threshold');
    expect(r.ranked).toHaveLength(2);
  });

  it('accepts a score exactly at the threshold', () => {
    const r = identify(base, [{ ...ann }], verifyScore(base, ann));
    expect(r.reason).toBe('match');
  });

  it('refuses when the top two are within the margin', () => {
    const twin = { id: 't', name: 'Twin', template: atCosine(base, randomUnit(13), 0.99) };
    const r = identify(base, [ann, twin], 0.5);
    expect(r.ranked[0]!.score - r.ranked[1]!.score).toBeLessThan(0.02);
    expect(r.best).toBeNull();
    expect(r.reason).toBe('ambiguous');
    expect(identify(base, [ann, twin], 0.5, 0.001).best?.id).toBe('a');
  });

  it('handles nobody enrolled', () => {
    expect(identify(base, [], 0.5)).toEqual({
      ranked: [],
      best: null,
      reason: 'nobody-enrolled',
      threshold: 0.5,
    });
  });

  describe('open-set rule (security level + calibrated thresholds)', () => {
    const thresholds = { 'far_1e-3': 0.33, 'far_1e-4': 0.4, 'far_1e-5': 0.47 };
    /** The app's per-attempt threshold for these people (startVerification passes it). */
    const rule = (people: readonly unknown[]) =>
      identifyThreshold(thresholds, 'far_1e-3', people.length);
    // 512 dimensions, as the model: unrelated people then score near 0 against each other.
    const base = randomUnit(10, 512);
    const ann = { id: 'a', name: 'Ann', template: base };
    const probeAt = (c: number) => atCosine(base, randomUnit(12, 512), c);
    /** n people, each far from the others and from the probe's person. */
    const crowd = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        id: `p${i}`,
        name: `P${i}`,
        template: atCosine(base, randomUnit(100 + i, 512), 0.05),
      }));

    it('with one person enrolled uses the 1:1 threshold of the level', () => {
      const r = identify(probeAt(0.35), [ann], rule([ann]));
      expect(r.threshold).toBe(0.33);
      expect(r.reason).toBe('match');
    });

    it('raises the threshold with the number enrolled: FAR(level)/N per comparison', () => {
      const probe = probeAt(0.38);
      // 1:1 threshold 0.33 would accept; with 10 people the rate per comparison is 1e-4 -> 0.40.
      const ten = [ann, ...crowd(9)];
      expect(identify(probe, ten, 0.33).best?.id).toBe('a');
      const r = identify(probe, ten, rule(ten));
      expect(r.threshold).toBeCloseTo(0.4, 12);
      expect(r.best).toBeNull();
      expect(r.reason).toBe('below-threshold');
      expect(identify(probeAt(0.45), ten, rule(ten)).best?.id).toBe('a');
      // 100 people: 1e-5 per comparison -> 0.47.
      const hundred = [ann, ...crowd(99)];
      expect(identify(probe, hundred, rule(hundred)).threshold).toBeCloseTo(0.47, 12);
    });

    it("keeps a fine-tune's per-person score normalisation", () => {
      const probe = probeAt(0.5);
      const normed = {
        ...ann,
        // Raw cosine 0.5 is 2 sd above this template's strangers (mean 0.1, sd 0.2); on the
        // reference scale (mean 0, sd 0.1) that is 0.2: below any threshold.
        norm: { template: { mean: 0.1, sd: 0.2 }, reference: { mean: 0, sd: 0.1 } },
      };
      const people = [normed, ...crowd(9)];
      const r = identify(probe, people, rule(people));
      const annScore = r.ranked.find((c) => c.id === 'a')?.score;
      expect(annScore).toBeCloseTo(verifyScore(probe, normed), 12);
      expect(annScore).toBeCloseTo(0.2, 6);
      expect(r.best).toBeNull();
    });
  });
});

describe('decideRanked', () => {
  const c = (id: string, score: number) => ({ id, name: id, score });

  it('applies threshold then margin to ranked scores, as identify does', () => {
    expect(decideRanked([], 0.5).reason).toBe('nobody-enrolled');
    expect(decideRanked([c('a', 0.49)], 0.5).reason).toBe('below-threshold');
    expect(decideRanked([c('a', 0.5)], 0.5).best?.id).toBe('a');
    expect(decideRanked([c('a', 0.6), c('b', 0.59)], 0.5, 0.02).reason).toBe('ambiguous');
    expect(decideRanked([c('a', 0.6), c('b', 0.55)], 0.5, 0.02).best?.id).toBe('a');
    expect(decideRanked([c('a', 0.6), c('b', 0.59)], 0.5, 0).best?.id).toBe('a');
    expect(decideRanked([c('a', 0.6), c('b', 0.59)], 0.5).threshold).toBe(0.5);
  });
});

describe('FrameDecision', () => {
  it('accepts after `need` consecutive good frames at or above the threshold', () => {
    const d = new FrameDecision({ threshold: 0.5 });
    expect(d.push(0.6)).toBe('pending');
    expect(d.push(0.5)).toBe('pending');
    expect(d.consecutive).toBe(2);
    expect(d.push(0.7)).toBe('accept');
    expect(d.push(0.1)).toBe('accept'); // sticks until reset
  });

  it('a low frame or a quality failure restarts the run', () => {
    const d = new FrameDecision({ threshold: 0.5 });
    d.push(0.6);
    d.push(0.6);
    expect(d.push(0.4)).toBe('pending');
    d.push(0.6);
    d.push(0.6);
    expect(d.push(null)).toBe('pending');
    expect(d.consecutive).toBe(0);
    d.push(0.6);
    d.push(0.6);
    expect(d.push(0.6)).toBe('accept');
  });

  it('rejects after maxFrames good frames; quality failures do not count toward it', () => {
    const d = new FrameDecision({ threshold: 0.5, need: 3, maxFrames: 5 });
    for (let i = 0; i < 4; i++) expect(d.push(0.2)).toBe('pending');
    for (let i = 0; i < 10; i++) expect(d.push(null)).toBe('pending');
    expect(d.goodFrames).toBe(4);
    expect(d.push(0.2)).toBe('reject');
    expect(d.push(0.9)).toBe('reject');
  });

  it('acceptance on the last allowed frame wins over rejection', () => {
    const d = new FrameDecision({ threshold: 0.5, need: 2, maxFrames: 3 });
    d.push(0.1);
    d.push(0.9);
    expect(d.push(0.9)).toBe('accept');
  });

  it('reset starts a new attempt', () => {
    const d = new FrameDecision({ threshold: 0.5, need: 1, maxFrames: 1 });
    expect(d.push(0.1)).toBe('reject');
    d.reset();
    expect(d.state).toBe('pending');
    expect(d.goodFrames).toBe(0);
    expect(d.push(0.9)).toBe('accept');
  });

  it('refuses nonsensical settings', () => {
    expect(() => new FrameDecision({ threshold: 0.5, need: 0 })).toThrow();
    expect(() => new FrameDecision({ threshold: 0.5, need: 4, maxFrames: 3 })).toThrow();
  });
});

describe('duplicateOf', () => {
  const ann = { id: 'a', name: 'Ann', template: randomUnit(20) };
  const bob = { id: 'b', name: 'Bob', template: randomUnit(21) };

  it('finds the enrolled person whose template matches the new samples', () => {
    const samples = [0.9, 0.85, 0.95].map((c, i) => atCosine(ann.template, randomUnit(30 + i), c));
    const dup = duplicateOf(samples, [bob, ann], 0.5);
    expect(dup?.id).toBe('a');
    expect(dup?.name).toBe('Ann');
    expect(dup!.score).toBeGreaterThan(0.9);
  });

  it('returns null for a new face or when nobody is enrolled', () => {
    const samples = [randomUnit(40), randomUnit(41)];
    expect(duplicateOf(samples, [ann, bob], 0.5)).toBeNull();
    expect(duplicateOf(samples, [], 0.5)).toBeNull();
  });

  it('throws on no samples', () => {
    expect(() => duplicateOf([], [ann], 0.5)).toThrow();
  });
});
