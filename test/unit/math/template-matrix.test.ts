import { describe, expect, it } from 'vitest';
import { identify, normalize, type Enrolled } from '../../../src/lib/math/match';
import type { KernelName } from '../../../src/lib/math/match-kernel';
import { seededRandom } from '../../../src/lib/math/seeded-random';
import { TemplateMatrix } from '../../../src/lib/math/template-matrix';

const KERNELS: KernelName[] = ['wasm-simd', 'js'];

function gaussians(random: () => number, dim: number): Float32Array {
  const out = new Float32Array(dim);
  for (let i = 0; i < dim; i++) {
    // Box-Muller: embeddings look Gaussian per coordinate, not uniform.
    const u = Math.max(random(), 1e-12);
    out[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  }
  return out;
}

const unit = (random: () => number, dim: number) => normalize(gaussians(random, dim));

/** `base` moved by `step` along a random direction, renormalised. */
function nudge(random: () => number, base: Float32Array, step: number): Float32Array {
  const d = unit(random, base.length);
  return normalize(base.map((x, i) => x + step * (d[i] as number)));
}

function person(i: number, template: Float32Array, norm?: Enrolled['norm']): Enrolled {
  return { id: `p${i}`, name: `P${i}`, template, norm };
}

/** A fine-tune's score normalisation with random stats, some of them degenerate (sd 0). */
function randomNorm(random: () => number): Enrolled['norm'] {
  const r = random();
  if (r < 0.3) return undefined;
  return {
    template: { mean: random() * 0.3 - 0.1, sd: r < 0.35 ? 0 : 0.02 + random() * 0.2 },
    reference: { mean: random() * 0.1, sd: 0.05 + random() * 0.1 },
  };
}

/** The matrix gives exactly identify()'s first k: same ids, same scores, same decision. */
function expectSameAsIdentify(
  matrix: TemplateMatrix,
  people: readonly Enrolled[],
  probe: Float32Array,
  threshold: number,
  k = 5,
): void {
  const old = identify(probe, people, threshold);
  expect(matrix.top(probe, k)).toEqual(old.ranked.slice(0, k));
  const packed = matrix.identify(probe, threshold);
  expect(packed.ranked).toEqual(old.ranked.slice(0, 2));
  expect(packed.best).toEqual(old.best);
  expect(packed.reason).toBe(old.reason);
  expect(packed.threshold).toBe(old.threshold);
}

describe.each(KERNELS)('TemplateMatrix (%s kernel)', (kernel) => {
  it('ranks random people as identify() does, scores to the last bit', () => {
    const random = seededRandom(1);
    const people = Array.from({ length: 300 }, (_, i) => person(i, unit(random, 512)));
    const matrix = TemplateMatrix.of(people, kernel);
    expect(matrix.kernel).toBe(kernel);
    for (let t = 0; t < 20; t++) {
      // Half the probes are near an enrolled person, half strangers.
      const probe =
        t % 2 === 0
          ? nudge(random, people[(t * 37) % people.length]!.template, 0.8)
          : unit(random, 512);
      expectSameAsIdentify(matrix, people, probe, 0.4);
    }
  });

  it('applies per-person score normalisation as identify() does', () => {
    const random = seededRandom(2);
    const base = unit(random, 512);
    // Close to one another so the normalisation, not the cosine, decides the order.
    const people = Array.from({ length: 200 }, (_, i) =>
      person(i, nudge(random, base, 0.5 + random()), randomNorm(random)),
    );
    const matrix = TemplateMatrix.of(people, kernel);
    for (let t = 0; t < 20; t++) {
      expectSameAsIdentify(matrix, people, nudge(random, base, random()), 0.3, 10);
    }
  });

  it('breaks near-ties and exact ties as identify() does', () => {
    const random = seededRandom(3);
    const probe = unit(random, 512);
    const anchor = nudge(random, probe, 1);
    // Scores apart by 1e-7 and less (below the int8 rounding), exact duplicates, and a person
    // whose normalisation lands exactly on another's score.
    const people: Enrolled[] = [];
    for (let i = 0; i < 40; i++) people.push(person(i, nudge(random, anchor, 1e-7 * (i % 7))));
    people.push(person(40, anchor), person(41, Float32Array.from(anchor)));
    people.push(
      person(42, anchor, {
        template: { mean: 0, sd: 0.1 },
        reference: { mean: 0, sd: 0.1 },
      }),
    );
    for (let i = 43; i < 400; i++) people.push(person(i, unit(random, 512)));
    const shuffled = [...people].sort(() => random() - 0.5);
    for (const set of [people, shuffled]) {
      const matrix = TemplateMatrix.of(set, kernel);
      expectSameAsIdentify(matrix, set, probe, 0.01, 50);
      expectSameAsIdentify(matrix, set, anchor, 0.5, 50);
      expect(matrix.lastRescored).toBeLessThan(set.length);
    }
  });

  it('decides ambiguous, below-threshold and clear matches as identify() does', () => {
    const random = seededRandom(4);
    const ann = unit(random, 512);
    const twin = nudge(random, ann, 0.05);
    const people = [person(0, ann), person(1, twin), person(2, unit(random, 512))];
    const matrix = TemplateMatrix.of(people, kernel);
    const near = nudge(random, ann, 0.5);
    expect(matrix.identify(near, 0.3).reason).toBe('ambiguous');
    expect(matrix.identify(near, 0.3, 0.001).reason).toBe(
      identify(near, people, 0.3, 0.001).reason,
    );
    expect(matrix.identify(near, 0.999).reason).toBe('below-threshold');
    const solo = TemplateMatrix.of([people[0]!, people[2]!], kernel);
    expect(solo.identify(near, 0.3).best?.id).toBe('p0');
    for (const threshold of [0.3, 0.999]) expectSameAsIdentify(matrix, people, near, threshold);
  });

  it('rescores only a few rows for a clear match among many', () => {
    const random = seededRandom(5);
    const people = Array.from({ length: 2000 }, (_, i) => person(i, unit(random, 512)));
    const matrix = TemplateMatrix.of(people, kernel);
    const probe = nudge(random, people[1234]!.template, 0.7);
    expect(matrix.top(probe, 2)[0]?.id).toBe('p1234');
    expect(matrix.lastRescored).toBeLessThan(50);
  });

  it('handles dimensions off the kernel step, one person, and k beyond the people', () => {
    const random = seededRandom(6);
    const people = Array.from({ length: 9 }, (_, i) => person(i, unit(random, 100)));
    const matrix = TemplateMatrix.of(people, kernel);
    const probe = unit(random, 100);
    expectSameAsIdentify(matrix, people, probe, 0, 20);
    expect(matrix.top(probe, 20)).toHaveLength(9);
    const one = [people[0]!];
    expectSameAsIdentify(TemplateMatrix.of(one, kernel), one, probe, 0);
  });
});

describe('TemplateMatrix edge cases', () => {
  const random = seededRandom(7);
  const people = Array.from({ length: 5 }, (_, i) => person(i, unit(random, 16)));

  it('nobody enrolled', () => {
    const matrix = TemplateMatrix.of([]);
    expect(matrix.identify(unit(random, 16), 0.5)).toEqual(identify(unit(random, 16), [], 0.5));
  });

  it('a zero probe and a zero template score as identify() scores them', () => {
    const withZero = [...people, person(5, new Float32Array(16))];
    const matrix = TemplateMatrix.of(withZero);
    expectSameAsIdentify(matrix, withZero, new Float32Array(16), 0.5);
    expectSameAsIdentify(matrix, withZero, unit(random, 16), -1);
  });

  it('a template of another length or with NaN leaves every probe to identify()', () => {
    const mixed = [...people, person(5, unit(random, 8))];
    const matrix = TemplateMatrix.of(mixed);
    expect(matrix.kernel).toBeNull();
    expect(() => matrix.top(unit(random, 16), 2)).toThrow(/lengths differ/);
    const broken = [...people, person(5, new Float32Array(16).fill(Number.NaN))];
    expect(TemplateMatrix.of(broken).kernel).toBeNull();
  });

  it('refuses a probe of another length', () => {
    expect(() => TemplateMatrix.of(people).top(unit(random, 8), 2)).toThrow(/lengths differ/);
  });
});

describe('TemplateMatrix.holds', () => {
  const random = seededRandom(8);
  const people = Array.from({ length: 4 }, (_, i) =>
    person(i, unit(random, 16), i === 0 ? randomNorm(() => 0.9) : undefined),
  );
  const matrix = TemplateMatrix.of(people);

  it('recognises the same people in a new list, so an attempt can reuse the matrix', () => {
    expect(matrix.holds(people.map((p) => ({ ...p, norm: p.norm && { ...p.norm } })))).toBe(true);
  });

  it('not once anyone is added, removed, reordered, renamed, re-templated or re-normalised', () => {
    const [a, b, c, d] = people as [Enrolled, Enrolled, Enrolled, Enrolled];
    expect(matrix.holds([a, b, c])).toBe(false);
    expect(matrix.holds([b, a, c, d])).toBe(false);
    expect(matrix.holds([{ ...a, name: 'Renamed' }, b, c, d])).toBe(false);
    expect(matrix.holds([{ ...a, template: Float32Array.from(a.template) }, b, c, d])).toBe(false);
    expect(matrix.holds([{ ...a, norm: undefined }, b, c, d])).toBe(false);
    const norm = { template: { mean: 0, sd: 0.1 }, reference: { mean: 0, sd: 0.2 } };
    expect(matrix.holds([a, b, c, { ...d, norm }])).toBe(false);
  });
});

describe('TemplateMatrix.estimates', () => {
  it('are the int8 scores: close to verifyScore, not equal, within the error the bounds allow', () => {
    const random = seededRandom(9);
    const people = Array.from({ length: 50 }, (_, i) =>
      person(i, unit(random, 512), randomNorm(random)),
    );
    const probe = unit(random, 512);
    const estimates = TemplateMatrix.of(people).estimates(probe)!;
    const exact = people.map((p) => identify(probe, [p], 0).ranked[0]!.score);
    const errors = exact.map((s, i) => Math.abs((estimates[i] as number) - s));
    expect(Math.max(...errors)).toBeLessThan(0.01);
    expect(Math.max(...errors)).toBeGreaterThan(0);
  });

  it('are null where the matrix leaves probes to identify()', () => {
    const random = seededRandom(10);
    const matrix = TemplateMatrix.of([person(0, unit(random, 16))]);
    expect(matrix.estimates(new Float32Array(16))).toBeNull();
    expect(TemplateMatrix.of([]).estimates(unit(random, 16))).toBeNull();
  });
});
