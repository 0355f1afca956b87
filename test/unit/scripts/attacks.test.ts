import { describe, expect, it } from 'vitest';
import type { Point } from '../../../src/lib/math/align';
import {
  applyHomography,
  invertHomography,
  type Homography,
} from '../../../src/lib/math/homography';
import { seededRandom } from '../../../src/lib/math/seeded-random';
import {
  ATTACK_TYPES,
  DEFAULT_ATTACK_OPTIONS,
  attackFrames,
  type AttackSource,
} from '../../../scripts/lib/attacks';

const photoA: AttackSource = {
  url: 'a.jpg',
  keypoints: [
    [90, 110],
    [160, 110],
    [125, 145],
    [95, 180],
    [155, 180],
  ],
};
const photoB: AttackSource = {
  url: 'b.jpg',
  keypoints: (photoA.keypoints as Point[]).map(([x, y]): Point => [x * 1.4 + 20, y * 1.4 - 10]),
};

/** Where a source point lands in the camera frame. */
const toImage = (toSource: readonly number[], p: Point) =>
  applyHomography(invertHomography(toSource as unknown as Homography), p);

describe('attackFrames', () => {
  it('makes seconds x fps frames of every type, reproducibly', () => {
    for (const type of ATTACK_TYPES) {
      const a = attackFrames(type, [photoA, photoB], seededRandom(3));
      const b = attackFrames(type, [photoA, photoB], seededRandom(3));
      expect(a).toHaveLength(DEFAULT_ATTACK_OPTIONS.seconds * DEFAULT_ATTACK_OPTIONS.fps);
      expect(a).toEqual(b);
    }
  });

  it('holds a still photo still, with the eyes the asked distance apart', () => {
    const frames = attackFrames('still', [photoA], seededRandom(1));
    const first = frames[0]!.toSource;
    expect(frames.every((f) => f.toSource.join() === first.join())).toBe(true);
    const [l, r] = [toImage(first, photoA.keypoints[0]!), toImage(first, photoA.keypoints[1]!)];
    const d = Math.hypot(r[0] - l[0], r[1] - l[1]);
    // The rest scale is 0.8-1.3 of the 70 px asked for.
    expect(d).toBeGreaterThan(0.8 * 70 - 1);
    expect(d).toBeLessThan(1.3 * 70 + 1);
  });

  it('moves a moved photo and foreshortens a swung one', () => {
    const moved = attackFrames('moved', [photoA], seededRandom(2));
    const xs = moved.map((f) => toImage(f.toSource, photoA.keypoints[2]!)[0]);
    expect(Math.max(...xs) - Math.min(...xs)).toBeGreaterThan(20);
    // The eyes-and-mouth triangle shrinks as the picture turns away, about either axis.
    for (const seed of [5, 6, 7, 8]) {
      const swung = attackFrames('swung', [photoA], seededRandom(seed));
      const areas = swung.map((f) => {
        const [a, b, c] = [0, 1, 3].map((i) => toImage(f.toSource, photoA.keypoints[i]!)) as [
          Point,
          Point,
          Point,
        ];
        return Math.abs((b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1])) / 2;
      });
      expect(Math.min(...areas) / Math.max(...areas)).toBeLessThan(0.99);
    }
  });

  it('gives a screen at least one of gamma, moire and glare', () => {
    for (let seed = 1; seed < 20; seed++) {
      const [frame] = attackFrames('screen', [photoA], seededRandom(seed));
      const e = frame!.effects ?? {};
      expect(e.gamma !== undefined || e.moire !== undefined || e.glare !== undefined).toBe(true);
    }
  });

  it('cuts to the second photo laid over the first, eyes on eyes', () => {
    const frames = attackFrames('cut', [photoA, photoB], seededRandom(4));
    const cut = frames.findIndex((f) => f.source === 1);
    expect(cut).toBeGreaterThanOrEqual(15);
    expect(cut).toBeLessThanOrEqual(35);
    expect(frames.slice(cut).every((f) => f.source === 1)).toBe(true);
    const before = toImage(frames[cut - 1]!.toSource, photoA.keypoints[0]!);
    const after = toImage(frames[cut]!.toSource, photoB.keypoints[0]!);
    expect(Math.hypot(before[0] - after[0], before[1] - after[1])).toBeLessThan(5);
    expect(() => attackFrames('cut', [photoA], seededRandom(1))).toThrow(/second photo/);
  });
});
