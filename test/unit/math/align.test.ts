import { describe, expect, it } from 'vitest';
import {
  ALIGN_TEMPLATE_112,
  ALIGNED_SIZE,
  ARCFACE_TEMPLATE_112,
  AlignmentError,
  applySimilarity,
  estimateSimilarity,
  invertSimilarity,
  similarityAngle,
  similarityScale,
  toCanvasMatrix,
  type Point,
  type Similarity,
} from '../../../src/lib/math/align';
import { seededRandom as prng } from '../../../src/lib/math/seeded-random';

function fromParams(scale: number, angle: number, tx: number, ty: number): Similarity {
  return { a: scale * Math.cos(angle), b: scale * Math.sin(angle), tx, ty };
}

function expectClose(actual: Similarity, expected: Similarity, tol = 1e-6): void {
  expect(Math.abs(actual.a - expected.a)).toBeLessThan(tol);
  expect(Math.abs(actual.b - expected.b)).toBeLessThan(tol);
  expect(Math.abs(actual.tx - expected.tx)).toBeLessThan(tol);
  expect(Math.abs(actual.ty - expected.ty)).toBeLessThan(tol);
}

function residual(t: Similarity, src: readonly Point[], dst: readonly Point[]): number {
  return src.reduce((sum, p, i) => {
    const [x, y] = applySimilarity(t, p);
    const [u, v] = dst[i] as Point;
    return sum + (x - u) ** 2 + (y - v) ** 2;
  }, 0);
}

describe('templates', () => {
  it('ALIGN_TEMPLATE_112 is ArcFace with the mouth corners merged into their midpoint', () => {
    expect(ALIGNED_SIZE).toBe(112);
    expect(ARCFACE_TEMPLATE_112).toHaveLength(5);
    expect(ALIGN_TEMPLATE_112).toHaveLength(4);
    expect(ALIGN_TEMPLATE_112.slice(0, 3)).toEqual(ARCFACE_TEMPLATE_112.slice(0, 3));
    const [l, r] = [ARCFACE_TEMPLATE_112[3] as Point, ARCFACE_TEMPLATE_112[4] as Point];
    const mouth = ALIGN_TEMPLATE_112[3] as Point;
    expect(mouth[0]).toBeCloseTo((l[0] + r[0]) / 2, 10);
    expect(mouth[1]).toBeCloseTo((l[1] + r[1]) / 2, 10);
  });
});

describe('estimateSimilarity', () => {
  it('recovers known rotation + scale + shift on random points', () => {
    const rand = prng(42);
    for (let trial = 0; trial < 20; trial++) {
      const truth = fromParams(
        0.1 + 5 * rand(),
        (rand() * 2 - 1) * Math.PI,
        (rand() - 0.5) * 1000,
        (rand() - 0.5) * 1000,
      );
      const n = 2 + Math.floor(rand() * 6);
      const src: Point[] = Array.from({ length: n }, () => [rand() * 640, rand() * 480]);
      const dst = src.map((p) => applySimilarity(truth, p));
      expectClose(estimateSimilarity(src, dst), truth);
    }
  });

  it('recovers the transform when the destination is the template', () => {
    const rand = prng(7);
    for (let trial = 0; trial < 10; trial++) {
      const truth = fromParams(0.2 + rand(), (rand() - 0.5) * 1.5, rand() * 50, rand() * 50);
      const inv = invertSimilarity(truth);
      const src = ALIGN_TEMPLATE_112.map((p) => applySimilarity(inv, p));
      expectClose(estimateSimilarity(src, ALIGN_TEMPLATE_112), truth);
    }
  });

  it('gives the least-squares answer on noisy points', () => {
    const rand = prng(123);
    for (let trial = 0; trial < 10; trial++) {
      const truth = fromParams(1 + rand(), (rand() - 0.5) * 2, rand() * 100, rand() * 100);
      const src: Point[] = Array.from({ length: 5 }, () => [rand() * 200, rand() * 200]);
      const dst = src.map((p): Point => {
        const [x, y] = applySimilarity(truth, p);
        return [x + (rand() - 0.5) * 10, y + (rand() - 0.5) * 10];
      });
      const fit = estimateSimilarity(src, dst);
      const best = residual(fit, src, dst);
      // Beats both the generating transform and a naive fit through two points.
      expect(best).toBeLessThanOrEqual(residual(truth, src, dst));
      const naive = estimateSimilarity(src.slice(0, 2), dst.slice(0, 2));
      expect(best).toBeLessThanOrEqual(residual(naive, src, dst));
      // And it is a local minimum: nudging any parameter makes it worse.
      for (const key of ['a', 'b', 'tx', 'ty'] as const) {
        for (const step of [-1e-3, 1e-3]) {
          expect(residual({ ...fit, [key]: fit[key] + step }, src, dst)).toBeGreaterThan(best);
        }
      }
    }
  });

  it('never returns a reflection for mirrored input', () => {
    const src: Point[] = [
      [10, 20],
      [50, 22],
      [31, 40],
      [29, 61],
    ];
    const mirrored = src.map(([x, y]): Point => [200 - x, y]);
    const t = estimateSimilarity(src, mirrored);
    const [a, b, c, d] = toCanvasMatrix(t);
    expect(a * d - b * c).toBeGreaterThan(0);
  });

  it.each<[string, Point[], Point[], RegExp]>([
    [
      'length mismatch',
      [
        [0, 0],
        [1, 1],
      ],
      [[0, 0]],
      /mismatch/,
    ],
    ['a single point', [[0, 0]], [[1, 1]], /at least 2/],
    ['no points', [], [], /at least 2/],
    [
      'all points equal',
      [
        [3, 4],
        [3, 4],
        [3, 4],
      ],
      [
        [0, 0],
        [1, 0],
        [0, 1],
      ],
      /degenerate/,
    ],
    [
      'NaN in source',
      [
        [NaN, 0],
        [1, 1],
      ],
      [
        [0, 0],
        [1, 1],
      ],
      /non-finite/,
    ],
    [
      'Infinity in destination',
      [
        [0, 0],
        [1, 1],
      ],
      [
        [0, Infinity],
        [1, 1],
      ],
      /non-finite/,
    ],
  ])('throws AlignmentError on %s', (_name, src, dst, message) => {
    expect(() => estimateSimilarity(src, dst)).toThrow(AlignmentError);
    expect(() => estimateSimilarity(src, dst)).toThrow(message);
  });
});

describe('helpers', () => {
  const t = fromParams(2.5, 0.7, -30, 12);

  it('inverse composes to identity', () => {
    const inv = invertSimilarity(t);
    for (const p of [
      [0, 0],
      [100, -50],
      [3.5, 77],
    ] as Point[]) {
      const [x, y] = applySimilarity(inv, applySimilarity(t, p));
      expect(x).toBeCloseTo(p[0], 9);
      expect(y).toBeCloseTo(p[1], 9);
    }
    expectClose(invertSimilarity(inv), t, 1e-12);
  });

  it('refuses to invert a zero-scale transform', () => {
    expect(() => invertSimilarity({ a: 0, b: 0, tx: 1, ty: 1 })).toThrow(AlignmentError);
  });

  it('reports scale and angle', () => {
    expect(similarityScale(t)).toBeCloseTo(2.5, 12);
    expect(similarityAngle(t)).toBeCloseTo(0.7, 12);
  });

  it('canvas matrix maps points like applySimilarity', () => {
    const [a, b, c, d, e, f] = toCanvasMatrix(t);
    const [x, y] = [17, -4];
    const [u, v] = applySimilarity(t, [x, y]);
    expect(a * x + c * y + e).toBeCloseTo(u, 12);
    expect(b * x + d * y + f).toBeCloseTo(v, 12);
  });
});
