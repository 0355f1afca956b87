import { describe, expect, it } from 'vitest';
import type { Point3 } from '../../../src/lib/math/face-mesh';
import { MESH, MESH_POINTS } from '../../../src/lib/math/face-mesh';
import {
  cropStats,
  eyeAspectRatio,
  rejectionHints,
  type FrameObservation,
} from '../../../src/lib/decisions/rejection-hints';
import type { QualityMetrics } from '../../../src/lib/math/quality';

const N = 112;

interface FakeFace {
  left?: number;
  right?: number;
  /** 'open': dark iris on light sclera; 'flat': skin-coloured; 'dark': sunglasses. */
  eyes?: 'open' | 'flat' | 'dark';
}

/** A fake aligned gray crop: skin of the given brightness per half, eyes near the template's. */
function fakeCrop({ left = 150, right = 150, eyes = 'open' }: FakeFace = {}): Float32Array {
  const g = new Float32Array(N * N);
  for (let y = 0; y < N; y++) {
    for (let x = 0; x < N; x++) {
      let v = x < 56 ? left : right;
      // Some skin texture (pores, the nose's shading) so the cheeks are not perfectly flat.
      v += ((x * 7 + y * 13) % 5) * 8 - 16;
      for (const [ex, ey] of [
        [38, 52],
        [74, 52],
      ] as const) {
        const d = Math.hypot(x - ex, y - ey);
        if (Math.abs(y - ey) <= 6 && Math.abs(x - ex) <= 11) {
          if (eyes === 'open') v = d < 4 ? 30 : 220;
          else if (eyes === 'dark') v = 25;
          else v = x < 56 ? left : right;
        }
      }
      g[y * N + x] = Math.max(0, Math.min(255, v));
    }
  }
  return g;
}

const FRONTAL: QualityMetrics = {
  faces: 1,
  faceWidth: 200,
  roll: 1,
  yaw: 1,
  pitch: 2,
  sharpness: 120,
  luminance: 140,
};

function observe(face: FakeFace = {}, metrics: Partial<QualityMetrics> = {}): FrameObservation {
  return {
    metrics: { ...FRONTAL, ...metrics },
    crop: cropStats(fakeCrop(face), N, N),
    eyeAspect: null,
  };
}

const kinds = (frames: FrameObservation[]) => rejectionHints(frames).map((h) => h.kind);
const times = <T>(n: number, f: () => T) => Array.from({ length: n }, f);

describe('cropStats', () => {
  it('measures the two halves and the eyes against the cheeks', () => {
    const s = cropStats(fakeCrop({ left: 60, right: 180 }), N, N);
    expect(s.leftMean).toBeLessThan(80);
    expect(s.rightMean).toBeGreaterThan(160);
    const open = cropStats(fakeCrop(), N, N);
    expect(open.eyeStd).toBeGreaterThan(2 * open.refStd);
    const flat = cropStats(fakeCrop({ eyes: 'flat' }), N, N);
    expect(flat.eyeStd).toBeLessThan(open.eyeStd / 3);
  });

  it('refuses a crop of another size', () => {
    expect(() => cropStats(new Float32Array(64 * 64), 64, 64)).toThrow(RangeError);
  });
});

describe('rejectionHints', () => {
  it('has nothing to say about a well-lit, sharp, frontal face (the screen says the neutral text)', () => {
    expect(kinds(times(10, () => observe()))).toEqual([]);
  });

  it('names strong side light and which side is dark', () => {
    const hints = rejectionHints(times(10, () => observe({ left: 55, right: 170 })));
    expect(hints.map((h) => h.kind)).toEqual(['side_light']);
    expect(hints[0]?.darkSide).toBe('left');
    expect(rejectionHints(times(4, () => observe({ left: 170, right: 55 })))[0]?.darkSide).toBe(
      'right',
    );
  });

  it('does not call a turned head side light', () => {
    expect(kinds(times(6, () => observe({ left: 55, right: 170 }, { yaw: 25 })))).toEqual(['pose']);
  });

  it('names covered eyes: sunglasses, or skin where the eyes should be', () => {
    expect(kinds(times(5, () => observe({ eyes: 'dark' })))).toEqual(['eyes_covered']);
    expect(kinds(times(5, () => observe({ eyes: 'flat' })))).toEqual(['eyes_covered']);
  });

  it('names closed eyes from the face mesh when there is one', () => {
    const frames = times(5, () => ({ ...observe({ eyes: 'flat' }), eyeAspect: 0.05 }));
    expect(kinds(frames)).toEqual(['eyes_closed']);
  });

  it('names a pose inside the gate but turned enough to matter', () => {
    expect(kinds(times(5, () => observe({}, { roll: 15 })))).toEqual(['pose']);
    expect(kinds(times(5, () => observe({}, { pitch: -22 })))).toEqual(['pose']);
  });

  it('names a dim, a washed-out, and a soft picture', () => {
    expect(kinds(times(5, () => observe({}, { luminance: 55 })))).toEqual(['dark']);
    expect(kinds(times(5, () => observe({}, { luminance: 200 })))).toEqual(['bright']);
    expect(kinds(times(5, () => observe({}, { sharpness: 20 })))).toEqual(['blurry']);
  });

  it('needs the sign in at least half the frames', () => {
    const frames = [...times(3, () => observe({ eyes: 'dark' })), ...times(7, () => observe())];
    expect(kinds(frames)).toEqual([]);
    expect(kinds([])).toEqual([]);
  });

  it('puts the most telling first', () => {
    expect(
      kinds(times(5, () => observe({ eyes: 'dark' }, { luminance: 60, sharpness: 20 }))),
    ).toEqual(['eyes_covered', 'dark', 'blurry']);
  });
});

describe('eyeAspectRatio', () => {
  function mesh(gap: number): Point3[] {
    const points: Point3[] = Array.from({ length: MESH_POINTS }, () => [0, 0, 0] as const);
    points[MESH.rightEyeOuter] = [100, 100, 0];
    points[MESH.rightEyeInner] = [130, 100, 0];
    points[MESH.rightEyeUpper] = [115, 100 - gap / 2, 0];
    points[MESH.rightEyeLower] = [115, 100 + gap / 2, 0];
    points[MESH.leftEyeInner] = [170, 100, 0];
    points[MESH.leftEyeOuter] = [200, 100, 0];
    points[MESH.leftEyeUpper] = [185, 100 - gap / 2, 0];
    points[MESH.leftEyeLower] = [185, 100 + gap / 2, 0];
    return points;
  }

  it('is lid gap over eye width', () => {
    expect(eyeAspectRatio(mesh(9))).toBeCloseTo(0.3, 6);
    expect(eyeAspectRatio(mesh(1.5))).toBeCloseTo(0.05, 6);
    expect(eyeAspectRatio([])).toBeNull();
  });
});
