import { describe, expect, it } from 'vitest';
import {
  arcfaceTargetCos,
  cosfaceMarginUpperBound,
  cosfaceScaleLowerBound,
  cosineMatrix,
  l2normalize,
  marginLogits,
  marginLoss,
  spherefacePsi,
  type MarginConfig,
} from '../../../src/lib/math/margin-losses';

// Hand-checkable case: W = I₂, x = (3, 4) so ‖x‖ = 5, cos θ₀ = 0.6, cos θ₁ = 0.8, label 0.
const W = [
  [1, 0],
  [0, 1],
];
const X = [[3, 4]];
const Y = [0];

/** Two-class CE with target logit a and other logit b: log(1 + e^(b − a)). */
const ce2 = (a: number, b: number): number => Math.log(1 + Math.exp(b - a));

function expectRowsClose(actual: number[][], expected: number[][], digits = 10): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, i) => {
    const exp = expected[i] ?? [];
    expect(row.length).toBe(exp.length);
    row.forEach((v, j) => expect(v).toBeCloseTo(exp[j] ?? NaN, digits));
  });
}

describe('helpers', () => {
  it('l2normalize and cosineMatrix', () => {
    const n = l2normalize([3, 4]);
    expect(n[0]).toBeCloseTo(0.6, 10);
    expect(n[1]).toBeCloseTo(0.8, 10);
    expectRowsClose(
      cosineMatrix(X, [
        [2, 0],
        [0, 7],
        [-1, 0],
      ]),
      [[0.6, 0.8, -0.6]],
    );
    // zero vector stays finite
    expect(l2normalize([0, 0])).toEqual([0, 0]);
  });

  it('sphereface ψ is continuous and monotone from 1 to 1 − 2m', () => {
    const m = 4;
    expect(spherefacePsi(1, m)).toBeCloseTo(1, 12);
    expect(spherefacePsi(-1, m)).toBeCloseTo(1 - 2 * m, 12);
    let prev = Infinity;
    for (let i = 0; i <= 2000; i++) {
      const theta = (Math.PI * i) / 2000;
      const psi = spherefacePsi(Math.cos(theta), m);
      expect(psi).toBeLessThanOrEqual(prev + 1e-12);
      prev = psi;
    }
    // continuity across the piece boundaries θ = jπ/m
    for (let j = 1; j < m; j++) {
      const t = (j * Math.PI) / m;
      expect(spherefacePsi(Math.cos(t - 1e-9), m)).toBeCloseTo(
        spherefacePsi(Math.cos(t + 1e-9), m),
        6,
      );
    }
  });

  it('arcface target equals cos(θ + m) when θ + m < π, and decreases in θ everywhere', () => {
    const m = 0.5;
    for (const theta of [0.1, 1, 2, 2.6]) {
      expect(arcfaceTargetCos(Math.cos(theta), m)).toBeCloseTo(Math.cos(theta + m), 10);
    }
    // insightface's fallback jumps down at θ = π − m (from −1 to −cos m − m sin m)
    const t = Math.PI - m;
    expect(arcfaceTargetCos(Math.cos(t - 1e-9), m)).toBeCloseTo(-1, 6);
    expect(arcfaceTargetCos(Math.cos(t + 1e-9), m)).toBeCloseTo(-Math.cos(m) - m * Math.sin(m), 6);
    let prev = Infinity;
    for (let i = 0; i <= 2000; i++) {
      const v = arcfaceTargetCos(Math.cos((Math.PI * i) / 2000), m);
      expect(v).toBeLessThanOrEqual(prev + 1e-12);
      prev = v;
    }
  });
});

describe('marginLogits / marginLoss, hand-computed 2-class cases', () => {
  it('softmax: plain Wx', () => {
    const cfg: MarginConfig = { method: 'softmax', s: 1, m: 0 };
    expectRowsClose(marginLogits(X, W, Y, cfg), [[3, 4]]);
    expect(marginLoss(X, W, Y, cfg)).toBeCloseTo(ce2(3, 4), 12);
  });

  it('softmax does not normalise W', () => {
    const cfg: MarginConfig = { method: 'softmax', s: 1, m: 0 };
    expectRowsClose(
      marginLogits(
        X,
        [
          [2, 0],
          [0, -1],
        ],
        Y,
        cfg,
      ),
      [[6, -4]],
    );
  });

  it('nsl: s cos θ', () => {
    const cfg: MarginConfig = { method: 'nsl', s: 2, m: 0.3 /* ignored */ };
    expectRowsClose(marginLogits(X, W, Y, cfg), [[1.2, 1.6]]);
    expect(marginLoss(X, W, Y, cfg)).toBeCloseTo(ce2(1.2, 1.6), 12);
  });

  it('cosface: s(cos θ_y − m) on the target only', () => {
    const cfg: MarginConfig = { method: 'cosface', s: 2, m: 0.1 };
    expectRowsClose(marginLogits(X, W, Y, cfg), [[1.0, 1.6]]);
    expect(marginLoss(X, W, Y, cfg)).toBeCloseTo(ce2(1.0, 1.6), 12);
    // label 1: margin moves to column 1
    expectRowsClose(marginLogits(X, W, [1], cfg), [[1.2, 1.4]]);
  });

  it('cosface without feature normalisation: ‖x‖(cos θ_y − m)', () => {
    const cfg: MarginConfig = { method: 'cosface', s: 64, m: 0.1, normalizeFeatures: false };
    expectRowsClose(marginLogits(X, W, Y, cfg), [[2.5, 4]]);
    expect(marginLoss(X, W, Y, cfg)).toBeCloseTo(ce2(2.5, 4), 12);
  });

  it('arcface: s cos(θ_y + m)', () => {
    const cfg: MarginConfig = { method: 'arcface', s: 2, m: 0.1 };
    // cos(θ + m) = 0.6 cos 0.1 − 0.8 sin 0.1 = 0.5171357660...
    const t = 0.6 * Math.cos(0.1) - 0.8 * Math.sin(0.1);
    expect(t).toBeCloseTo(0.517135766, 8);
    expectRowsClose(marginLogits(X, W, Y, cfg), [[2 * t, 1.6]]);
    expect(marginLoss(X, W, Y, cfg)).toBeCloseTo(ce2(2 * t, 1.6), 12);
  });

  it('arcface fallback when θ_y + m > π: cos θ − m sin(π − m)', () => {
    const cfg: MarginConfig = { method: 'arcface', s: 1, m: 0.5 };
    // cos θ₀ = −0.96 < cos(π − 0.5) ≈ −0.8776
    const logits = marginLogits([[-0.96, 0.28]], W, [0], cfg);
    expectRowsClose(logits, [[-0.96 - 0.5 * Math.sin(0.5), 0.28]]);
    expect(logits[0]?.[0]).toBeCloseTo(-1.1997127, 6);
  });

  it('sphereface (m = 4): ‖x‖ψ(θ_y), ψ = (−1)^k cos 4θ − 2k', () => {
    // θ = acos 0.6 ≈ 0.927 ∈ [π/4, π/2] → k = 1; cos 4θ = 8c⁴ − 8c² + 1 = −0.8432; ψ = −1.1568
    const cfg: MarginConfig = { method: 'sphereface', s: 1, m: 4 };
    expectRowsClose(marginLogits(X, W, Y, cfg), [[-5.784, 4]]);
    expect(marginLoss(X, W, Y, cfg)).toBeCloseTo(ce2(-5.784, 4), 10);
  });

  it('sphereface annealing λ and the NormFea variant', () => {
    expectRowsClose(marginLogits(X, W, Y, { method: 'sphereface', s: 1, m: 4, lambda: 1 }), [
      [(5 * 0.6 - 5.784) / 2, 4],
    ]);
    expectRowsClose(
      marginLogits(X, W, Y, { method: 'sphereface', s: 10, m: 4, normalizeFeatures: true }),
      [[-11.568, 8]],
    );
  });

  it('sphereface with m = 1 is NSL-like with ‖x‖ as scale', () => {
    expectRowsClose(marginLogits(X, W, Y, { method: 'sphereface', s: 1, m: 1 }), [[3, 4]]);
  });

  it('rejects bad configs and labels', () => {
    expect(() => marginLogits(X, W, Y, { method: 'sphereface', s: 1, m: 1.5 })).toThrow(RangeError);
    expect(() => marginLogits(X, W, Y, { method: 'nsl', s: 0, m: 0 })).toThrow(RangeError);
    expect(() => marginLogits(X, W, [2], { method: 'nsl', s: 1, m: 0 })).toThrow(RangeError);
    expect(() => marginLogits(X, W, [0, 1], { method: 'nsl', s: 1, m: 0 })).toThrow(RangeError);
  });
});

describe('margin properties on a random batch', () => {
  // small deterministic pseudo-random batch (LCG; quality is irrelevant here)
  let state = 12345;
  const rnd = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648 - 0.5;
  };
  const feats = Array.from({ length: 7 }, () => Array.from({ length: 5 }, rnd));
  const weights = Array.from({ length: 4 }, () => Array.from({ length: 5 }, rnd));
  const labels = [0, 1, 2, 3, 0, 1, 2];

  it('LMCL with m = 0 equals NSL exactly', () => {
    const nsl = marginLoss(feats, weights, labels, { method: 'nsl', s: 30, m: 0 });
    const lmcl = marginLoss(feats, weights, labels, { method: 'cosface', s: 30, m: 0 });
    expect(lmcl).toBe(nsl);
    expect(marginLogits(feats, weights, labels, { method: 'cosface', s: 30, m: 0 })).toEqual(
      marginLogits(feats, weights, labels, { method: 'nsl', s: 30, m: 0 }),
    );
  });

  it('ArcFace with m = 0 equals NSL', () => {
    const nsl = marginLoss(feats, weights, labels, { method: 'nsl', s: 30, m: 0 });
    const arc = marginLoss(feats, weights, labels, { method: 'arcface', s: 30, m: 0 });
    expect(arc).toBeCloseTo(nsl, 9);
  });

  it('larger m gives larger loss', () => {
    for (const method of ['cosface', 'arcface'] as const) {
      const losses = [0, 0.1, 0.2, 0.35, 0.5].map((m) =>
        marginLoss(feats, weights, labels, { method, s: 30, m }),
      );
      for (let i = 1; i < losses.length; i++) {
        expect(losses[i]).toBeGreaterThan(losses[i - 1] ?? Infinity);
      }
    }
    const sphere = [1, 2, 3, 4].map((m) =>
      marginLoss(feats, weights, labels, { method: 'sphereface', s: 1, m }),
    );
    for (let i = 1; i < sphere.length; i++) {
      expect(sphere[i]).toBeGreaterThan(sphere[i - 1] ?? Infinity);
    }
  });

  it('is numerically stable for large scales', () => {
    const loss = marginLoss(feats, weights, labels, { method: 'cosface', s: 1e4, m: 0.35 });
    expect(Number.isFinite(loss)).toBe(true);
  });
});

describe('CosFace bounds', () => {
  it('scale lower bound: (C − 1)/C · ln((C − 1)P_W / (1 − P_W))', () => {
    // CASIA-WebFace, C = 10572, P_W = 0.9: (10571/10572) ln(95139) ≈ 11.462, well under the paper's s = 64
    expect(cosfaceScaleLowerBound(10572, 0.9)).toBeCloseTo(11.46201, 4);
    expect(cosfaceScaleLowerBound(10572, 0.9)).toBeLessThan(64);
    expect(cosfaceScaleLowerBound(2, 0.9)).toBeCloseTo(0.5 * Math.log(9), 12);
    let prev = -Infinity;
    for (const c of [2, 10, 100, 1000, 10572, 100000]) {
      const b = cosfaceScaleLowerBound(c, 0.9);
      expect(b).toBeGreaterThan(prev);
      prev = b;
    }
    expect(() => cosfaceScaleLowerBound(10, 1)).toThrow(RangeError);
  });

  it('margin upper bound', () => {
    expect(cosfaceMarginUpperBound(4, 2)).toBeCloseTo(1, 12); // square: neighbours at 90°
    expect(cosfaceMarginUpperBound(8, 2)).toBeCloseTo(1 - Math.SQRT1_2, 12);
    // K = 2 formula agrees with the simplex formula where both apply (C ≤ 3)
    expect(cosfaceMarginUpperBound(3, 2)).toBeCloseTo(3 / 2, 12);
    expect(cosfaceMarginUpperBound(3, 512)).toBeCloseTo(3 / 2, 12);
    expect(cosfaceMarginUpperBound(10, 128)).toBeCloseTo(10 / 9, 12);
    // decreases with C
    expect(cosfaceMarginUpperBound(100, 2)).toBeLessThan(cosfaceMarginUpperBound(10, 2));
  });
});
