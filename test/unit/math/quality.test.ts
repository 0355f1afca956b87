import { describe, expect, it } from 'vitest';
import { ALIGN_TEMPLATE_112, type Point } from '../../../src/lib/math/align';
import type { DetectedFace } from '../../../src/lib/math/face-select';
import { DEFAULT_QUALITY, assessQuality, type QualityReason } from '../../../src/lib/math/quality';
import { syntheticMesh } from './synthetic-mesh';

/** The template scaled and placed in a 640x480 frame: a frontal, level face ~200 px wide. */
function frontalKeypoints(scale = 3, ox = 150, oy = 50): Point[] {
  return ALIGN_TEMPLATE_112.map(([x, y]): Point => [ox + scale * x, oy + scale * y]);
}

function rotate(points: Point[], degrees: number): Point[] {
  const r = (degrees * Math.PI) / 180;
  const [cx, cy] = points[2] as Point;
  return points.map(([x, y]): Point => [
    cx + Math.cos(r) * (x - cx) - Math.sin(r) * (y - cy),
    cy + Math.sin(r) * (x - cx) + Math.cos(r) * (y - cy),
  ]);
}

function faceWith(keypoints: Point[], width = 200, score = 0.9): DetectedFace {
  return { box: { x: 150, y: 50, width, height: width }, score, keypoints };
}

/** 112x112 crop: a checkerboard of the given contrast around a mean brightness. */
function crop(mean: number, contrast: number) {
  const size = 112;
  const gray = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      gray[y * size + x] = mean + (((x + y) & 1) === 0 ? contrast : -contrast);
    }
  }
  return { gray, width: size, height: size };
}

const sharpCrop = crop(128, 20);

describe('assessQuality', () => {
  it('passes a good frame', () => {
    const result = assessQuality({ faces: [faceWith(frontalKeypoints())], crop: sharpCrop });
    expect(result.reasons).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.primary).not.toBeNull();
    expect(result.metrics).toMatchObject({ faces: 1, faceWidth: 200, luminance: 128 });
    expect(result.metrics.sharpness).toBeGreaterThan(DEFAULT_QUALITY.minLaplacianVar);
  });

  it('reports no_face alone when nothing (confident) is detected', () => {
    for (const faces of [[], [faceWith(frontalKeypoints(), 200, 0.2)]]) {
      const result = assessQuality({ faces, crop: crop(5, 0) });
      expect(result).toEqual({
        ok: false,
        reasons: ['no_face'],
        primary: null,
        pose: null,
        metrics: { faces: 0 },
      });
    }
  });

  it('reports multiple_faces for a second person, not for a tiny background face', () => {
    const user = faceWith(frontalKeypoints(), 200);
    const background = faceWith(frontalKeypoints(0.5, 500, 10), 40);
    const neighbour = faceWith(frontalKeypoints(2, 400, 50), 150);
    expect(assessQuality({ faces: [user, background], crop: sharpCrop }).ok).toBe(true);
    const crowded = assessQuality({ faces: [background, user, neighbour], crop: sharpCrop });
    expect(crowded.reasons).toEqual(['multiple_faces']);
    expect(crowded.primary).toBe(user);
    expect(crowded.metrics.faces).toBe(2);
  });

  it('reports too_small by box width and by optional eye distance', () => {
    const small = assessQuality({ faces: [faceWith(frontalKeypoints(0.6), 70)], crop: sharpCrop });
    expect(small.reasons).toEqual(['too_small']);
    const strict = { ...DEFAULT_QUALITY, minInterocularPx: 200 };
    expect(
      assessQuality({ faces: [faceWith(frontalKeypoints())], crop: sharpCrop }, strict).reasons,
    ).toEqual(['too_small']);
  });

  it('reports head_turned for yaw and for pitch (keypoint fallback, in degrees)', () => {
    const kps = frontalKeypoints();
    const [nx, ny] = kps[2] as Point;
    const slight = [...kps];
    slight[2] = [nx + 25, ny];
    const turned = assessQuality({ faces: [faceWith(slight)], crop: sharpCrop });
    expect(turned.ok).toBe(true);
    expect(turned.pose?.source).toBe('keypoints');
    expect(turned.metrics.yaw).toBeGreaterThan(15);
    expect(turned.metrics.yaw).toBeLessThan(DEFAULT_QUALITY.maxAbsYawDeg);
    const yawed = [...kps];
    yawed[2] = [nx + 60, ny];
    expect(assessQuality({ faces: [faceWith(yawed)], crop: sharpCrop }).reasons).toEqual([
      'head_turned',
    ]);
    const pitched = [...kps];
    pitched[2] = [nx, ny + 40];
    expect(assessQuality({ faces: [faceWith(pitched)], crop: sharpCrop }).reasons).toEqual([
      'head_turned',
    ]);
  });

  it('takes the pose from the mesh when there is one, in degrees', () => {
    const faces = [faceWith(frontalKeypoints())];
    const left = assessQuality({
      faces,
      crop: sharpCrop,
      mesh: { points: syntheticMesh(30, 0, 0), score: 0.9 },
    });
    // The frontal keypoints are ignored: one pose, from the mesh.
    expect(left.ok).toBe(true);
    expect(left.pose?.source).toBe('mesh');
    expect(left.metrics.yaw).toBeCloseTo(30, 3);
    expect(left.metrics.pitch).toBeCloseTo(0, 3);
    const tooFar = assessQuality({
      faces,
      crop: sharpCrop,
      mesh: { points: syntheticMesh(-40, 0, 0), score: 0.9 },
    });
    expect(tooFar.reasons).toEqual(['head_turned']);
    const chinDown = assessQuality({
      faces,
      crop: sharpCrop,
      mesh: { points: syntheticMesh(0, 35, 0), score: 0.9 },
    });
    expect(chinDown.reasons).toEqual(['head_turned']);
    const tilted = assessQuality({
      faces,
      crop: sharpCrop,
      mesh: { points: syntheticMesh(0, 0, 25), score: 0.9 },
    });
    expect(tilted.reasons).toEqual(['head_tilted']);
  });

  it('fails the pose checks on a NaN pose rather than letting it through', () => {
    const points = syntheticMesh(0, 0, 0);
    points[1] = [NaN, NaN, NaN];
    const result = assessQuality({
      faces: [faceWith(frontalKeypoints())],
      crop: sharpCrop,
      mesh: { points, score: 0.9 },
    });
    expect(result.reasons).toEqual(['head_turned', 'head_tilted']);
  });

  it('reports head_tilted for roll beyond the limit only', () => {
    const ok = assessQuality({
      faces: [faceWith(rotate(frontalKeypoints(), 15))],
      crop: sharpCrop,
    });
    expect(ok.ok).toBe(true);
    const tilted = assessQuality({
      faces: [faceWith(rotate(frontalKeypoints(), -30))],
      crop: sharpCrop,
    });
    expect(tilted.reasons).toEqual(['head_tilted']);
    expect(tilted.metrics.roll).toBeLessThan(-25);
  });

  it('reports blurry, too_dark and too_bright from the crop', () => {
    const faces = [faceWith(frontalKeypoints())];
    expect(assessQuality({ faces, crop: crop(128, 0.25) }).reasons).toEqual(['blurry']);
    expect(assessQuality({ faces, crop: crop(20, 10) }).reasons).toEqual(['too_dark']);
    expect(assessQuality({ faces, crop: crop(235, 10) }).reasons).toEqual(['too_bright']);
  });

  it('skips image checks without a crop', () => {
    const result = assessQuality({ faces: [faceWith(frontalKeypoints())], crop: null });
    expect(result.ok).toBe(true);
    expect(result.metrics.sharpness).toBeUndefined();
  });

  it('lists several reasons in the documented order', () => {
    const kps = rotate(frontalKeypoints(0.6), 40);
    const [nx, ny] = kps[2] as Point;
    kps[2] = [nx + 30, ny];
    const faces = [faceWith(kps, 70), faceWith(frontalKeypoints(0.6, 300), 60)];
    const result = assessQuality({ faces, crop: crop(10, 0) });
    const expected: QualityReason[] = [
      'multiple_faces',
      'too_small',
      'head_turned',
      'head_tilted',
      'too_dark',
      'blurry',
    ];
    expect(result.reasons).toEqual(expected);
    expect(result.ok).toBe(false);
  });
});

describe('assessQuality with the landmark stage', () => {
  it('counts a detection the mesh did not confirm as no face', () => {
    const face = { box: { x: 150, y: 50, width: 200, height: 200 }, score: 0.9, keypoints: [] };
    const result = assessQuality({ faces: [face], primary: face, mesh: null, crop: null });
    expect(result.ok).toBe(false);
    expect(result.reasons).toEqual(['no_face']);
  });

  it('judges the face the front end chose, not the largest box', () => {
    const poster = { box: { x: 0, y: 0, width: 400, height: 400 }, score: 0.9, keypoints: [] };
    const small = { box: { x: 420, y: 0, width: 60, height: 60 }, score: 0.9, keypoints: [] };
    const result = assessQuality({ faces: [poster, small], primary: small, crop: null });
    expect(result.primary).toBe(small);
    expect(result.reasons).toContain('too_small');
  });
});
