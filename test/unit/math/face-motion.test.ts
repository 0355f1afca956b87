import { describe, expect, it } from 'vitest';
import { applySimilarity, type Similarity } from '../../../src/lib/math/align';
import { MESH, MESH_POINTS, type FaceMesh, type Point3 } from '../../../src/lib/math/face-mesh';
import { faceOfMesh, meshMotion, moveFace } from '../../../src/lib/math/face-motion';
import type { DetectedFace } from '../../../src/lib/math/face-select';

/** A mesh whose points lie on a ring around (cx, cy) of radius r (enough for the alignment points). */
function ringMesh(cx: number, cy: number, r: number): FaceMesh {
  const points: Point3[] = [];
  for (let i = 0; i < MESH_POINTS; i++) {
    const a = (i * 2.399) % (2 * Math.PI);
    points.push([cx + r * Math.cos(a) * ((i % 7) / 7 + 0.3), cy + r * Math.sin(a), 0]);
  }
  points[MESH.noseTip] = [cx, cy, 0];
  return { points, score: 0.9 };
}

function moved(mesh: FaceMesh, t: Similarity): FaceMesh {
  return {
    score: mesh.score,
    points: mesh.points.map(([x, y, z]) => [...applySimilarity(t, [x, y]), z] as Point3),
  };
}

const face: DetectedFace = {
  score: 0.95,
  box: { x: 250, y: 190, width: 100, height: 100 },
  keypoints: [
    [280, 220],
    [320, 220],
  ],
};

describe('following a face by its mesh between detector runs', () => {
  it('recovers the motion of the mesh and carries the detection along', () => {
    const before = ringMesh(300, 240, 50);
    // Shifted by (12, -5), scaled by 1.1 and turned by about 3 degrees.
    const t: Similarity = { a: 1.1 * Math.cos(0.05), b: 1.1 * Math.sin(0.05), tx: 12, ty: -5 };
    const after = moved(before, t);
    const motion = meshMotion(before, after);
    expect(motion.a).toBeCloseTo(t.a, 6);
    expect(motion.b).toBeCloseTo(t.b, 6);
    expect(motion.tx).toBeCloseTo(t.tx, 4);
    const carried = moveFace(face, motion);
    expect(carried.box.width).toBeCloseTo(110, 4);
    const [cx, cy] = applySimilarity(t, [300, 240]);
    expect(carried.box.x + carried.box.width / 2).toBeCloseTo(cx, 4);
    expect(carried.box.y + carried.box.height / 2).toBeCloseTo(cy, 4);
    expect(carried.keypoints[0]?.[0]).toBeCloseTo(applySimilarity(t, [280, 220])[0], 4);
    expect(carried.score).toBe(face.score);
  });

  it('finds the detection the mesh belongs to by its nose, or none', () => {
    const other: DetectedFace = { ...face, box: { x: 0, y: 0, width: 80, height: 80 } };
    expect(faceOfMesh([other, face], ringMesh(300, 240, 50))).toBe(face);
    expect(faceOfMesh([other, face], ringMesh(500, 400, 50))).toBeNull();
  });
});
