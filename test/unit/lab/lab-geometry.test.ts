import { describe, expect, it } from 'vitest';
import {
  LAB_COLORS,
  angleDeg,
  circleRegions,
  describeSettings,
  formatDeg,
  marginBounds,
  meanIntraClassAngleDeg,
  minInterClassAngleDeg,
  nearestClassAccuracy,
  project3d,
  regionAt,
  type RegionArc,
} from '../../../src/lib/lab/lab-geometry';
import { seededRandom } from '../../../src/lib/math/seeded-random';

const C = 8;
const GAP = (2 * Math.PI) / C; // 45° between neighbouring weights

/** 8 weights evenly on the circle, deliberately with different norms (they are normalised inside). */
const WEIGHTS = Array.from({ length: C }, (_, i) => {
  const r = 0.5 + i;
  return [r * Math.cos(i * GAP), r * Math.sin(i * GAP)];
});

const dir = (angle: number): number[] => [Math.cos(angle), Math.sin(angle)];

/** Arcs of the band (−1) whose middle lies within 1e-6 of the bisector between weights i and i+1. */
function bandAtBisector(arcs: RegionArc[], i: number): RegionArc | undefined {
  const bisector = (i + 0.5) * GAP;
  return arcs.find((a) => {
    if (a.region !== -1) return false;
    const mid = (a.start + a.end) / 2;
    const d = Math.abs(((mid - bisector + 3 * Math.PI) % (2 * Math.PI)) - Math.PI);
    return d < 1e-6;
  });
}

describe('angles', () => {
  it('angleDeg is the angle between directions, scale-free and accurate near 0 and 180', () => {
    expect(angleDeg([1, 0], [0, 3])).toBeCloseTo(90, 10);
    expect(angleDeg([2, 0, 0], [1, 1, 0])).toBeCloseTo(45, 10);
    expect(angleDeg([1, 0], [-5, 0])).toBeCloseTo(180, 10);
    expect(angleDeg([1, 0], [1, 1e-9])).toBeCloseTo(1e-9 * (180 / Math.PI), 15);
    expect(angleDeg([0, 0], [1, 0])).toBeNaN();
  });

  it('8 weights evenly on the circle are 45° apart at the closest', () => {
    expect(minInterClassAngleDeg(WEIGHTS)).toBeCloseTo(45, 9);
    expect(minInterClassAngleDeg([[1, 0]])).toBeNaN();
    // Move one weight towards its neighbour: the minimum follows it.
    const moved = WEIGHTS.map((w) => [...w]);
    moved[1] = dir(GAP - (10 * Math.PI) / 180);
    expect(minInterClassAngleDeg(moved)).toBeCloseTo(35, 9);
  });

  it('mean intra-class angle averages each feature against its own weight', () => {
    const features = [dir(0.1), dir(GAP - 0.2), [3 * Math.cos(2 * GAP), 3 * Math.sin(2 * GAP)]];
    const labels = [0, 1, 2];
    const expected = ((0.1 + 0.2 + 0) / 3) * (180 / Math.PI);
    expect(meanIntraClassAngleDeg(features, labels, WEIGHTS)).toBeCloseTo(expected, 9);
    expect(meanIntraClassAngleDeg([], [], WEIGHTS)).toBeNaN();
  });

  it('nearest-class accuracy on synthetic clusters', () => {
    const rand = seededRandom(7);
    const features: number[][] = [];
    const labels: number[] = [];
    // Tight clusters (±10°) around each weight: all nearest their own class.
    for (let c = 0; c < C; c++) {
      for (let k = 0; k < 25; k++) {
        const a = c * GAP + (rand() - 0.5) * ((20 * Math.PI) / 180);
        const r = 0.1 + 5 * rand();
        features.push([r * Math.cos(a), r * Math.sin(a)]);
        labels.push(c);
      }
    }
    expect(nearestClassAccuracy(features, labels, WEIGHTS)).toBe(1);
    // Relabel a fifth of the samples to the next class: exactly those are wrong.
    const noisy = labels.map((y, i) => (i % 5 === 0 ? (y + 1) % C : y));
    expect(nearestClassAccuracy(features, noisy, WEIGHTS)).toBeCloseTo(0.8, 12);
    expect(nearestClassAccuracy([], [], WEIGHTS)).toBeNaN();
  });
});

describe('regionAt', () => {
  it('softmax and nsl: plain nearest weight, never the band (even on a bisector)', () => {
    for (const loss of ['softmax', 'nsl'] as const) {
      for (let k = 0; k < 3600; k++) {
        const a = (k / 3600) * 2 * Math.PI;
        const r = regionAt(dir(a), WEIGHTS, { loss, m: 0.5 });
        expect(r).toBeGreaterThanOrEqual(0);
      }
      expect(regionAt(dir(0.1), WEIGHTS, { loss, m: 0 })).toBe(0);
      expect(regionAt(dir(3 * GAP + 0.2), WEIGHTS, { loss, m: 0 })).toBe(3);
    }
  });

  it('cosface m > 0: −1 exactly near the bisectors, by the analytic half-width', () => {
    const m = 0.1;
    // On the arc between W_i and W_{i+1}, u from the bisector: cos θ_i − cos θ_{i+1} = 2 sin(Δ/2) sin u.
    const half = Math.asin(m / (2 * Math.sin(GAP / 2)));
    for (let i = 0; i < C; i++) {
      const b = (i + 0.5) * GAP;
      expect(regionAt(dir(b), WEIGHTS, { loss: 'cosface', m })).toBe(-1);
      expect(regionAt(dir(b - half * 0.99), WEIGHTS, { loss: 'cosface', m })).toBe(-1);
      expect(regionAt(dir(b + half * 0.99), WEIGHTS, { loss: 'cosface', m })).toBe(-1);
      expect(regionAt(dir(b - half * 1.01), WEIGHTS, { loss: 'cosface', m })).toBe(i);
      expect(regionAt(dir(b + half * 1.01), WEIGHTS, { loss: 'cosface', m })).toBe((i + 1) % C);
      expect(regionAt(dir(i * GAP), WEIGHTS, { loss: 'cosface', m })).toBe(i);
    }
  });

  it('ties count as the band for margin losses with m = 0 (and as the first class for nsl)', () => {
    const w = [
      [1, 0],
      [0, 1],
    ];
    const bis = [Math.SQRT1_2, Math.SQRT1_2];
    expect(regionAt(bis, w, { loss: 'cosface', m: 0 })).toBe(-1);
    expect(regionAt(bis, w, { loss: 'nsl', m: 0 })).toBe(0);
  });

  it('arcface: class i iff θ_i + m < θ_j; sphereface: iff mθ_i < θ_j near the weight', () => {
    const m = 0.2;
    const b = 0.5 * GAP;
    expect(regionAt(dir(b - m / 2 - 1e-6), WEIGHTS, { loss: 'arcface', m })).toBe(0);
    expect(regionAt(dir(b - m / 2 + 1e-6), WEIGHTS, { loss: 'arcface', m })).toBe(-1);
    expect(regionAt(dir(b + m / 2 + 1e-6), WEIGHTS, { loss: 'arcface', m })).toBe(1);
    // SphereFace m = 4: class 0's edge at t with 4t = Δ − t, i.e. t = Δ/5.
    expect(regionAt(dir(GAP / 5 - 1e-6), WEIGHTS, { loss: 'sphereface', m: 4 })).toBe(0);
    expect(regionAt(dir(GAP / 5 + 1e-6), WEIGHTS, { loss: 'sphereface', m: 4 })).toBe(-1);
    expect(regionAt(dir(GAP - GAP / 5 + 1e-6), WEIGHTS, { loss: 'sphereface', m: 4 })).toBe(1);
  });

  it('works for 3-D directions', () => {
    const w3 = [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 2],
    ];
    expect(regionAt([0.9, 0.1, 0.1], w3, { loss: 'cosface', m: 0.35 })).toBe(0);
    expect(regionAt([1, 1, 1], w3, { loss: 'cosface', m: 0.35 })).toBe(-1);
    expect(regionAt([1, 1, 1.01], w3, { loss: 'nsl', m: 0.35 })).toBe(2);
  });
});

describe('circleRegions', () => {
  const widthOfBands = (arcs: RegionArc[]): number[] =>
    Array.from({ length: C }, (_, i) => {
      const band = bandAtBisector(arcs, i);
      return band ? band.end - band.start : NaN;
    });

  it('arcs tile the circle in order, starting at the arc containing angle 0', () => {
    const { angles, regions, arcs } = circleRegions(WEIGHTS, { loss: 'cosface', m: 0.2 });
    expect(angles).toHaveLength(720);
    expect(regions).toHaveLength(720);
    expect(arcs).toHaveLength(2 * C);
    expect(arcs[0]?.start).toBeLessThanOrEqual(0);
    expect(arcs[0]?.region).toBe(0);
    for (let k = 1; k < arcs.length; k++) expect(arcs[k]?.start).toBeCloseTo(arcs[k - 1]!.end, 12);
    expect(arcs.at(-1)!.end - arcs[0]!.start).toBeCloseTo(2 * Math.PI, 12);
    expect(arcs.filter((a) => a.region === -1)).toHaveLength(C);
  });

  it('nsl and softmax: no band, 8 arcs of 45°', () => {
    for (const loss of ['nsl', 'softmax'] as const) {
      const { arcs, regions } = circleRegions(WEIGHTS, { loss, m: 0.3 });
      expect(regions.includes(-1)).toBe(false);
      expect(arcs.map((a) => a.region)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      for (const a of arcs) expect(a.end - a.start).toBeCloseTo(GAP, 8);
    }
  });

  it("cosface's band widens with m and matches 2·asin(m / (2 sin(Δ/2)))", () => {
    let previous = 0;
    for (const m of [0.02, 0.05, 0.1, 0.15, 0.25]) {
      const widths = widthOfBands(circleRegions(WEIGHTS, { loss: 'cosface', m }).arcs);
      const expected = 2 * Math.asin(m / (2 * Math.sin(GAP / 2)));
      for (const w of widths) expect(w).toBeCloseTo(expected, 7);
      expect(expected).toBeGreaterThan(previous);
      previous = expected;
    }
  });

  it("arcface's band is m wide (from (Δ − m)/2 to (Δ + m)/2) and widens with m", () => {
    let previous = 0;
    for (const m of [0.05, 0.1, 0.2, 0.5]) {
      const widths = widthOfBands(circleRegions(WEIGHTS, { loss: 'arcface', m }).arcs);
      for (const w of widths) expect(w).toBeCloseTo(m, 7);
      expect(widths[0]).toBeGreaterThan(previous);
      previous = widths[0] ?? NaN;
    }
  });

  it("sphereface's band is (m − 1)/(m + 1) of the gap", () => {
    for (const m of [2, 3, 4]) {
      const widths = widthOfBands(circleRegions(WEIGHTS, { loss: 'sphereface', m }).arcs);
      for (const w of widths) expect(w).toBeCloseTo((GAP * (m - 1)) / (m + 1), 7);
    }
  });

  it('one weight (or a margin swallowing everything) gives one arc', () => {
    expect(circleRegions([[1, 0]], { loss: 'cosface', m: 0.3 }).arcs).toEqual([
      { start: 0, end: 2 * Math.PI, region: 0 },
    ]);
    const all = circleRegions(WEIGHTS, { loss: 'cosface', m: 1.5 });
    expect(all.arcs).toEqual([{ start: 0, end: 2 * Math.PI, region: -1 }]);
  });
});

describe('marginBounds', () => {
  it('2-D, 8 classes: the seed bounds, and arcface 2π/C = 45°', () => {
    const b = marginBounds(8, 2);
    expect(b.cosfaceMMax).toBeCloseTo(1 - Math.cos(Math.PI / 4), 12);
    expect(b.arcfaceMMaxRad).toBeCloseTo(Math.PI / 4, 12);
    expect(b.exact).toBe(true);
    expect(b.cosfaceMMaxTight).toBe(b.cosfaceMMax);
    expect(b.arcfaceMMaxRadTight).toBe(b.arcfaceMMaxRad);
    // s ≥ (C − 1)/C · ln((C − 1)·0.99/0.01) ≈ 5.72
    expect(b.sMin).toBeCloseTo((7 / 8) * Math.log(7 * 99), 12);
    expect(b.sphereMNote.length).toBeGreaterThan(0);
  });

  it('the arcface bound is where the band swallows each class region', () => {
    const { arcfaceMMaxRad, cosfaceMMax } = marginBounds(8, 2);
    const regionsBelow = circleRegions(WEIGHTS, { loss: 'arcface', m: arcfaceMMaxRad * 0.98 });
    expect(new Set(regionsBelow.arcs.map((a) => a.region)).size).toBe(C + 1);
    const above = circleRegions(WEIGHTS, { loss: 'arcface', m: arcfaceMMaxRad * 1.02 }, 3600);
    expect(above.arcs.every((a) => a.region === -1)).toBe(true);
    const cosAbove = circleRegions(WEIGHTS, { loss: 'cosface', m: cosfaceMMax * 1.02 }, 3600);
    expect(cosAbove.arcs.every((a) => a.region === -1)).toBe(true);
  });

  it('simplex case C ≤ K + 1 and the 3-D sphere with 8 classes', () => {
    const simplex = marginBounds(4, 3);
    expect(simplex.exact).toBe(true);
    expect(simplex.cosfaceMMax).toBeCloseTo(4 / 3, 12);
    expect((simplex.arcfaceMMaxRad * 180) / Math.PI).toBeCloseTo(109.4712, 3);

    const sphere = marginBounds(8, 3);
    expect(sphere.exact).toBe(false);
    expect(sphere.cosfaceMMax).toBeCloseTo(8 / 7, 12);
    expect(sphere.arcfaceMMaxRad).toBeCloseTo(Math.acos(-1 / 7), 12);
    expect((sphere.arcfaceMMaxRadTight * 180) / Math.PI).toBeCloseTo(74.8585, 3);
    expect(sphere.cosfaceMMaxTight).toBeLessThan(sphere.cosfaceMMax);
    expect(sphere.arcfaceMMaxRadTight).toBeLessThan(sphere.arcfaceMMaxRad);
  });
});

describe('project3d', () => {
  it('is a rotation: unit points stay unit, identity view maps (x, y, z) to (x, z, −y)', () => {
    expect(project3d([0.6, 0, 0.8], 0, 0)).toEqual([0.6, 0.8, -0]);
    const [x, y, d] = project3d([0, -1, 0], 0, 0);
    expect([x, y, d].map((v) => v + 0)).toEqual([0, 0, 1]);
    const rand = seededRandom(3);
    for (let k = 0; k < 50; k++) {
      const p = [rand() - 0.5, rand() - 0.5, rand() - 0.5];
      const n = Math.hypot(...p);
      const q = project3d(
        p.map((v) => v / n),
        rand() * 360,
        rand() * 180 - 90,
      );
      expect(Math.hypot(...q)).toBeCloseTo(1, 12);
    }
  });

  it('pitch > 0 shows the north pole in front and above the centre; yaw turns about z', () => {
    const [, y, d] = project3d([0, 0, 1], 30, 20);
    expect(d).toBeCloseTo(Math.sin((20 * Math.PI) / 180), 12);
    expect(y).toBeCloseTo(Math.cos((20 * Math.PI) / 180), 12);
    const [x90] = project3d([1, 0, 0], 90, 0);
    expect(x90).toBeCloseTo(0, 12);
    const [, , d90] = project3d([1, 0, 0], 90, 0);
    expect(d90).toBeCloseTo(-1, 12);
  });
});

describe('LAB_COLORS', () => {
  it('has 8 distinct hex colours', () => {
    expect(LAB_COLORS).toHaveLength(8);
    expect(new Set(LAB_COLORS.map((c) => c.toLowerCase())).size).toBe(8);
    for (const c of LAB_COLORS) expect(c).toMatch(/^#[0-9a-f]{6}$/i);
  });
});

describe('labels', () => {
  it('describeSettings writes only what the loss uses', () => {
    expect(describeSettings({ loss: 'softmax', s: 30, m: 0.35 })).toBe('Softmax');
    expect(describeSettings({ loss: 'nsl', s: 30, m: 0.35 })).toBe('NSL, s = 30');
    expect(describeSettings({ loss: 'cosface', s: 30, m: 0.35 })).toBe(
      'CosFace (LMCL), s = 30, m = 0.35',
    );
    expect(describeSettings({ loss: 'arcface', s: 64, m: 0.5 })).toBe(
      'ArcFace, s = 64, m = 0.5 rad (28.6°)',
    );
    expect(describeSettings({ loss: 'sphereface', s: 64, m: 3.6 })).toBe(
      'A-Softmax (SphereFace), m = 4',
    );
    expect(formatDeg(NaN)).toBe('–');
    expect(formatDeg(44.96)).toBe('45.0°');
  });
});
