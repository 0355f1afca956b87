import { describe, expect, it } from 'vitest';
import {
  MESH,
  MESH_POINTS,
  meshAlignmentPoints,
  type Point3,
} from '../../../src/lib/math/face-mesh';
import {
  ARCFACE_TEMPLATE_112,
  estimateSimilarity,
  applySimilarity,
} from '../../../src/lib/math/align';

function meshWith(points: Record<number, Point3>): Point3[] {
  return Array.from({ length: MESH_POINTS }, (_, i) => points[i] ?? [0, 0, 0]);
}

describe('meshAlignmentPoints', () => {
  it('gives eye centres from the eye corners, the nose tip and the mouth corners, in template order', () => {
    const mesh = meshWith({
      [MESH.rightEyeOuter]: [30, 50, 0],
      [MESH.rightEyeInner]: [46, 52, 0],
      [MESH.leftEyeInner]: [66, 52, 0],
      [MESH.leftEyeOuter]: [82, 50, 0],
      [MESH.noseTip]: [56, 72, -10],
      [MESH.mouthRight]: [41, 92, 0],
      [MESH.mouthLeft]: [71, 92, 0],
    });
    expect(meshAlignmentPoints(mesh)).toEqual([
      [38, 51],
      [74, 51],
      [56, 72],
      [41, 92],
      [71, 92],
    ]);
  });

  it('aligns a scaled, shifted template face back onto the template', () => {
    const [re, le, nose, mr, ml] = ARCFACE_TEMPLATE_112.map(
      ([x, y]) => [x * 3 + 100, y * 3 + 40] as const,
    );
    const mesh = meshWith({
      [MESH.rightEyeOuter]: [re![0] - 6, re![1], 0],
      [MESH.rightEyeInner]: [re![0] + 6, re![1], 0],
      [MESH.leftEyeInner]: [le![0] - 6, le![1], 0],
      [MESH.leftEyeOuter]: [le![0] + 6, le![1], 0],
      [MESH.noseTip]: [nose![0], nose![1], 0],
      [MESH.mouthRight]: [mr![0], mr![1], 0],
      [MESH.mouthLeft]: [ml![0], ml![1], 0],
    });
    const t = estimateSimilarity(meshAlignmentPoints(mesh), ARCFACE_TEMPLATE_112);
    const [x, y] = applySimilarity(t, [nose![0], nose![1]]);
    expect(x).toBeCloseTo(ARCFACE_TEMPLATE_112[2]![0], 6);
    expect(y).toBeCloseTo(ARCFACE_TEMPLATE_112[2]![1], 6);
  });

  it('refuses a mesh that is too short', () => {
    expect(() => meshAlignmentPoints([[0, 0, 0]])).toThrow(RangeError);
  });
});
