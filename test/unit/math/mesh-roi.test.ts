import { describe, expect, it } from 'vitest';
import {
  applySimilarity,
  similarityAngle,
  similarityScale,
  type Point,
} from '../../../src/lib/math/align';
import { MESH, MESH_POINTS, type Point3 } from '../../../src/lib/math/face-mesh';
import {
  ROI_SCALE,
  roiFromDetection,
  roiFromMesh,
  roiTransform,
} from '../../../src/lib/math/mesh-roi';

const close = (a: Point, b: Point) => {
  expect(a[0]).toBeCloseTo(b[0], 6);
  expect(a[1]).toBeCloseTo(b[1], 6);
};

describe('roiTransform', () => {
  it('maps the centre to the crop centre and the side to the crop size', () => {
    const t = roiTransform(300, 200, 150, 0, 192);
    close(applySimilarity(t, [300, 200]), [96, 96]);
    close(applySimilarity(t, [225, 125]), [0, 0]);
    close(applySimilarity(t, [375, 275]), [192, 192]);
  });

  it('levels a tilted eye line', () => {
    const angle = (20 * Math.PI) / 180;
    const t = roiTransform(0, 0, 100, angle, 100);
    // A point along the eye line (angle) lands on the crop's horizontal through the centre.
    const [, y] = applySimilarity(t, [30 * Math.cos(angle), 30 * Math.sin(angle)]);
    expect(y).toBeCloseTo(50, 6);
    expect(similarityAngle(t)).toBeCloseTo(-angle, 6);
  });
});

describe('roiFromDetection', () => {
  it('is 1.5x the larger side of the box, centred on it, level with the eyes', () => {
    const box = { x: 100, y: 50, width: 80, height: 100 };
    const eyes: Point[] = [
      [120, 90],
      [160, 110],
    ];
    const t = roiFromDetection(box, eyes, 192);
    close(applySimilarity(t, [140, 100]), [96, 96]);
    expect(similarityScale(t)).toBeCloseTo(192 / (100 * ROI_SCALE), 9);
    expect(similarityAngle(t)).toBeCloseTo(-Math.atan2(20, 40), 9);
  });

  it('falls back to no rotation without eye keypoints', () => {
    const t = roiFromDetection({ x: 0, y: 0, width: 10, height: 10 }, [], 192);
    expect(similarityAngle(t)).toBeCloseTo(0, 12);
  });
});

describe('roiFromMesh', () => {
  function rotatedMesh(angle: number, cx: number, cy: number, half: number): Point3[] {
    // A square cloud of points (half-side `half`) turned by `angle`, eye corners on its top edge.
    const points: Point3[] = [];
    for (let i = 0; i < MESH_POINTS; i++) {
      const u = ((i % 22) / 21) * 2 * half - half;
      const v = (Math.floor(i / 22) / 21) * 2 * half - half;
      points.push([
        cx + u * Math.cos(angle) - v * Math.sin(angle),
        cy + u * Math.sin(angle) + v * Math.cos(angle),
        0,
      ]);
    }
    const corner = (u: number, v: number): Point3 => [
      cx + u * Math.cos(angle) - v * Math.sin(angle),
      cy + u * Math.sin(angle) + v * Math.cos(angle),
      0,
    ];
    points[MESH.rightEyeOuter] = corner(-half * 0.6, -half * 0.3);
    points[MESH.leftEyeOuter] = corner(half * 0.6, -half * 0.3);
    return points;
  }

  it('frames the mesh in its own level frame, 1.5x its extent', () => {
    const angle = -0.3;
    const t = roiFromMesh(rotatedMesh(angle, 320, 240, 50), 192);
    close(applySimilarity(t, [320, 240]), [96, 96]);
    expect(similarityScale(t)).toBeCloseTo(192 / (100 * ROI_SCALE), 6);
    expect(similarityAngle(t)).toBeCloseTo(-angle, 6);
  });
});
