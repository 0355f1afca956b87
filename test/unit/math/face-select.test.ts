import { describe, expect, it } from 'vitest';
import {
  countConfidentFaces,
  pickPrimaryFace,
  type DetectedFace,
} from '../../../src/lib/math/face-select';

function face(width: number, score: number, x = 0): DetectedFace {
  return { box: { x, y: 0, width, height: width * 1.2 }, score, keypoints: [] };
}

describe('pickPrimaryFace', () => {
  it('returns null when there are no detections', () => {
    expect(pickPrimaryFace([])).toBeNull();
  });

  it('picks the largest confident box over a larger unsure one', () => {
    const big = face(300, 0.3);
    const mid = face(150, 0.9);
    const small = face(60, 0.95);
    expect(pickPrimaryFace([small, big, mid])).toBe(mid);
  });

  it('falls back to the largest of all when none is confident', () => {
    const a = face(100, 0.2);
    const b = face(120, 0.1);
    expect(pickPrimaryFace([a, b])).toBe(b);
  });

  it('honours a custom threshold, inclusive', () => {
    const a = face(200, 0.6);
    const b = face(100, 0.8);
    expect(pickPrimaryFace([a, b], 0.7)).toBe(b);
    expect(pickPrimaryFace([a, b], 0.6)).toBe(a);
  });
});

describe('countConfidentFaces', () => {
  it('ignores tiny background faces but counts a second person', () => {
    const user = face(200, 0.95);
    const background = face(30, 0.9, 400);
    const neighbour = face(150, 0.8, 250);
    expect(countConfidentFaces([user, background], 0.5, 0.4)).toBe(1);
    expect(countConfidentFaces([user, background, neighbour], 0.5, 0.4)).toBe(2);
  });

  it('ignores unsure detections', () => {
    expect(countConfidentFaces([face(200, 0.95), face(200, 0.3)], 0.5, 0.4)).toBe(1);
  });

  it('is 0 with no confident face', () => {
    expect(countConfidentFaces([], 0.5, 0.4)).toBe(0);
    expect(countConfidentFaces([face(200, 0.1)], 0.5, 0.4)).toBe(0);
  });
});

describe('rankFaces', () => {
  it('orders confident faces largest first, then the unsure ones largest first', async () => {
    const { rankFaces } = await import('../../../src/lib/math/face-select');
    const f = (width: number, score: number) => ({
      box: { x: 0, y: 0, width, height: width },
      score,
      keypoints: [],
    });
    const faces = [f(50, 0.9), f(200, 0.3), f(120, 0.7), f(80, 0.4)];
    expect(rankFaces(faces, 0.5).map((x) => x.box.width)).toEqual([120, 50, 200, 80]);
  });
});
