import { describe, expect, it } from 'vitest';
import { ALIGN_TEMPLATE_112, type Point } from '../../../src/lib/math/align';
import type { DetectedFace } from '../../../src/lib/math/face-select';
import {
  DEFAULT_QUALITY,
  QUALITY_MESSAGES,
  assessQuality,
  headPose,
  type QualityReason,
} from '../../../src/lib/math/quality';

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

describe('headPose', () => {
  it('reads ~0 on a frontal level face', () => {
    const pose = headPose(frontalKeypoints());
    expect(Math.abs(pose.roll)).toBeLessThan(0.5);
    expect(Math.abs(pose.yaw)).toBeLessThan(0.01);
    expect(pose.pitch).toBeCloseTo(0, 10);
    expect(pose.interocular).toBeCloseTo(3 * 35.24, 0);
  });

  it('reports roll as the eye-line angle and keeps yaw/pitch roll-invariant', () => {
    const base = headPose(frontalKeypoints());
    const tilted = headPose(rotate(frontalKeypoints(), 25));
    expect(tilted.roll - base.roll).toBeCloseTo(25, 6);
    expect(tilted.yaw).toBeCloseTo(base.yaw, 9);
    expect(tilted.pitch).toBeCloseTo(base.pitch, 9);
  });

  it('reports yaw as signed nose offset over interocular distance', () => {
    const kps = frontalKeypoints();
    const [nx, ny] = kps[2] as Point;
    const iod = headPose(kps).interocular;
    const turned = [...kps];
    turned[2] = [nx + 0.5 * iod, ny];
    expect(headPose(turned).yaw).toBeCloseTo(0.5, 2);
    turned[2] = [nx - 0.5 * iod, ny];
    expect(headPose(turned).yaw).toBeCloseTo(-0.5, 2);
  });

  it('reports pitch > 0 when the nose drops towards the mouth', () => {
    const kps = frontalKeypoints();
    const [nx, ny] = kps[2] as Point;
    const down = [...kps];
    down[2] = [nx, ny + 20];
    const up = [...kps];
    up[2] = [nx, ny - 20];
    expect(headPose(down).pitch).toBeGreaterThan(0.2);
    expect(headPose(up).pitch).toBeLessThan(-0.2);
  });

  it('throws with fewer than 4 keypoints', () => {
    expect(() => headPose(frontalKeypoints().slice(0, 3))).toThrow(/4 keypoints/);
  });
});

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

  it('reports head_turned for yaw and for pitch', () => {
    const kps = frontalKeypoints();
    const [nx, ny] = kps[2] as Point;
    const yawed = [...kps];
    yawed[2] = [nx + 50, ny];
    expect(assessQuality({ faces: [faceWith(yawed)], crop: sharpCrop }).reasons).toEqual([
      'head_turned',
    ]);
    const pitched = [...kps];
    pitched[2] = [nx, ny + 40];
    expect(assessQuality({ faces: [faceWith(pitched)], crop: sharpCrop }).reasons).toEqual([
      'head_turned',
    ]);
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
      'blurry',
      'too_dark',
    ];
    expect(result.reasons).toEqual(expected);
    expect(result.ok).toBe(false);
  });

  it('has a message for every reason', () => {
    for (const message of Object.values(QUALITY_MESSAGES))
      expect(message.length).toBeGreaterThan(5);
    expect(Object.keys(QUALITY_MESSAGES)).toHaveLength(8);
  });
});
