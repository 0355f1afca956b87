import { describe, expect, it } from 'vitest';
import {
  countAtOrAbove,
  groupByPerson,
  highestPerLevel,
  levelsReport,
  oneToN,
  oneToOne,
  pairScores,
  similarityMatrix,
  thresholdForFar,
} from '../../../scripts/lib/levels';
import { identifyThreshold } from '../../../src/lib/math/open-set';
import { gateWeights, sampleWeight, weightedTemplate } from '../../../scripts/lib/template-weights';

/** A unit vector at `angle` radians in the plane of the first two axes (cosines are easy). */
const at = (angle: number) => Float32Array.from([Math.cos(angle), Math.sin(angle), 0, 0]);

describe('pair scores and 1:1 rates', () => {
  // a and b: two images each, 0.2 rad apart (cos 0.98); the people 1.2 rad apart (cos ~0.36).
  const people = ['a', 'a', 'b', 'b'];
  const sim = similarityMatrix({ people, embeddings: [at(0), at(0.2), at(1.2), at(1.4)] });

  it('splits every pair into genuine and impostor, sorted descending', () => {
    const { genuine, impostor } = pairScores(people, sim);
    expect(genuine.length).toBe(2);
    expect(impostor.length).toBe(4);
    expect([...genuine].every((s) => Math.abs(s - Math.cos(0.2)) < 1e-6)).toBe(true);
    expect(impostor[0]).toBeCloseTo(Math.cos(1.0), 6);
    expect(impostor[3]).toBeCloseTo(Math.cos(1.4), 6);
  });

  it('counts accepts at or above the threshold', () => {
    const desc = Float64Array.from([0.9, 0.5, 0.5, 0.1]);
    expect(countAtOrAbove(desc, 0.5)).toBe(3);
    expect(countAtOrAbove(desc, 0.51)).toBe(1);
    expect(countAtOrAbove(desc, 2)).toBe(0);
    expect(countAtOrAbove(desc, -2)).toBe(4);
  });

  it('measures FAR and FRR at a threshold', () => {
    const r = oneToOne(pairScores(people, sim), Math.cos(1.1));
    expect(r.false_accepts).toBe(1); // only the 1.0 rad impostor pair
    expect(r.far).toBe(1 / 4);
    expect(r.frr).toBe(0);
    expect(oneToOne(pairScores(people, sim), 0.99).frr).toBe(1);
  });

  it('chooses the lowest threshold that keeps floor(far n) impostors', () => {
    const desc = Float64Array.from(Array.from({ length: 1000 }, (_, i) => 1 - i / 1000));
    const t = thresholdForFar(desc, 1e-2);
    expect(countAtOrAbove(desc, t)).toBe(10);
    expect(t).toBeCloseTo(desc[10] as number, 5);
    // Fewer impostors than 1 / far: none may pass.
    expect(countAtOrAbove(desc, thresholdForFar(desc, 1e-4))).toBe(0);
  });
});

describe('1:N attempts', () => {
  // 30 people, 3 images each: each person's images sit together, people spread over the circle.
  const people: string[] = [];
  const embeddings: Float32Array[] = [];
  for (let p = 0; p < 30; p++) {
    for (let k = 0; k < 3; k++) {
      people.push(`p${p}`);
      embeddings.push(at((p * 2 * Math.PI) / 30 + k * 0.01));
    }
  }
  const sim = similarityMatrix({ people, embeddings });
  const scores = pairScores(people, sim);

  it('groups images by person', () => {
    expect(groupByPerson(['x', 'y', 'x']).map((g) => g.join())).toEqual(['0,2', '1']);
  });

  it('accepts no stranger and every genuine probe when people are far apart', () => {
    // Neighbours are 12 degrees apart (cos 0.978), an own image within 0.02 rad (cos > 0.9998).
    const r = oneToN(people, sim, scores.impostor, 10, 0.99, 5);
    expect(r.stranger_attempts).toBe(90 * 5);
    expect(r.genuine_attempts).toBe(90 * 5);
    expect(r.false_accepts).toBe(0);
    expect(r.frr).toBe(0);
  });

  it('a stranger is accepted when any enrolled person reaches the threshold', () => {
    // At 0.97 each neighbour (two per person) passes: with all 29 others enrolled, every attempt.
    const all = oneToN(people, sim, scores.impostor, 29, 0.97, 2);
    expect(all.far).toBe(1);
    // With 1 enrolled, about 2 in 29 galleries hold a neighbour.
    const one = oneToN(people, sim, scores.impostor, 1, 0.97, 200);
    expect(one.far).toBeGreaterThan(0.04);
    expect(one.far).toBeLessThan(0.1);
    expect(one.far_union_bound).toBeCloseTo(2 / 29, 2);
  });

  it('is reproducible from its seed', () => {
    const a = oneToN(people, sim, scores.impostor, 5, 0.97, 10, 7);
    const b = oneToN(people, sim, scores.impostor, 5, 0.97, 10, 7);
    expect(a).toEqual(b);
  });

  it('reports too few people instead of a number', () => {
    const r = oneToN(people, sim, scores.impostor, 30, 0.5, 1);
    expect(r.far).toBeNaN();
    expect(r.note).toMatch(/too few/);
  });

  it('uses the 1:N threshold of each level', () => {
    const thresholds = { 'far_1e-3': 0.3, 'far_1e-4': 0.4, 'far_1e-5': 0.5 };
    const report = levelsReport(people, sim, scores, thresholds, { enrolled: [10], trials: 1 });
    expect(report.map((l) => l.level)).toEqual(['far_1e-3', 'far_1e-4', 'far_1e-5']);
    expect(report[1]?.promised_far).toBe(1e-4);
    expect(report[1]?.identify[0]?.threshold).toBeCloseTo(
      identifyThreshold(thresholds, 'far_1e-4', 10),
      12,
    );
  });
});

describe('highestPerLevel', () => {
  it('takes the higher threshold of the sets at each level', () => {
    const lfw = { 'far_1e-3': 0.33, 'far_1e-4': 0.4, 'far_1e-5': 0.47 };
    const wild = { 'far_1e-3': 0.36, 'far_1e-4': 0.42, 'far_1e-5': 0.46 };
    expect(highestPerLevel([lfw, wild])).toEqual({
      'far_1e-3': 0.36,
      'far_1e-4': 0.42,
      'far_1e-5': 0.47,
    });
  });
});

describe('weighted templates', () => {
  it('weighs a frontal, large face fully and a turned or small one less', () => {
    expect(sampleWeight({ pose: { yaw: 0, pitch: 0 }, faceSide: 150 })).toBe(1);
    expect(sampleWeight({ pose: { yaw: 25, pitch: 0 }, faceSide: 150 })).toBeCloseTo(
      Math.exp(-0.5),
      12,
    );
    expect(sampleWeight({ pose: null, faceSide: 56 })).toBe(0.5);
    expect(sampleWeight({ pose: { yaw: 90, pitch: 60 }, faceSide: 10 })).toBe(0.05);
  });

  it('is the plain mean with equal weights and leans to the heavier sample', () => {
    const a = at(0);
    const b = at(1);
    const plain = weightedTemplate([a, b], [1, 1]);
    expect(Math.atan2(plain[1] as number, plain[0] as number)).toBeCloseTo(0.5, 6);
    const leaning = weightedTemplate([a, b], [3, 1]);
    expect(Math.atan2(leaning[1] as number, leaning[0] as number)).toBeLessThan(0.5);
    expect(Math.hypot(...leaning)).toBeCloseTo(1, 6);
  });
});

describe('gateWeights', () => {
  it("keeps what the app's pose limits take, and everything when it would take nothing", () => {
    const frontal = { pose: { yaw: 10, pitch: 5 }, faceSide: 100 };
    const profile = { pose: { yaw: 60, pitch: 0 }, faceSide: 100 };
    const unknown = { pose: null, faceSide: null };
    expect(gateWeights([frontal, profile, unknown])).toEqual([1, 0, 1]);
    expect(gateWeights([profile, profile])).toEqual([1, 1]);
  });
});
