import { describe, expect, it } from 'vitest';
import { adaptEmbedding, adapterProblem, type Adapter } from '../../../src/lib/finetune/adapter';
import { seededRandom } from '../../../src/lib/math/seeded-random';

function unit(dim: number, seed: number): Float32Array {
  const rng = seededRandom(seed);
  const v = Float32Array.from({ length: dim }, () => rng() - 0.5);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

function randomAdapter(dim: number, rank: number, seed: number, zeroB = false): Adapter {
  const rng = seededRandom(seed);
  return {
    dim,
    rank,
    a: Float32Array.from({ length: dim * rank }, () => rng() - 0.5),
    b: Float32Array.from({ length: rank * dim }, () => (zeroB ? 0 : (rng() - 0.5) * 0.2)),
  };
}

describe('adapter', () => {
  it('is the identity while B is zero (an untrained adapter is the shipped model)', () => {
    const e = unit(16, 1);
    const z = adaptEmbedding(randomAdapter(16, 4, 2, true), e);
    z.forEach((x, i) => expect(x).toBeCloseTo(e[i] ?? NaN, 6));
  });

  it('computes normalise(e + (e A) B), checked against a plain matrix product', () => {
    const dim = 12;
    const rank = 3;
    const ad = randomAdapter(dim, rank, 3);
    const e = unit(dim, 4);
    const z = Array.from(e);
    for (let j = 0; j < dim; j++) {
      for (let r = 0; r < rank; r++) {
        let h = 0;
        for (let i = 0; i < dim; i++) h += (e[i] ?? 0) * (ad.a[i * rank + r] ?? 0);
        z[j] = (z[j] ?? 0) + h * (ad.b[r * dim + j] ?? 0);
      }
    }
    const n = Math.hypot(...z);
    const got = adaptEmbedding(ad, e);
    got.forEach((x, j) => expect(x).toBeCloseTo((z[j] ?? NaN) / n, 5));
    expect(Math.hypot(...got)).toBeCloseTo(1, 6);
  });

  it('refuses a damaged or mismatched adapter', () => {
    const ok = randomAdapter(8, 2, 5);
    expect(adapterProblem(ok, 8)).toBeNull();
    expect(adapterProblem(ok, 16)).toMatch(/8-d/);
    expect(adapterProblem({ ...ok, a: new Float32Array(3) }, 8)).toMatch(/A matrix/);
    const bad = { ...ok, b: ok.b.slice() };
    bad.b[0] = Number.NaN;
    expect(adapterProblem(bad, 8)).toMatch(/not finite/);
    expect(() => adaptEmbedding(ok, new Float32Array(4))).toThrow(/4 values/);
  });
});
