import { describe, expect, it } from 'vitest';
import { ALIGN_TEMPLATE_112, type Point } from '../../../src/lib/math/align';
import { MESH, MESH_POINTS, type Point3 } from '../../../src/lib/math/face-mesh';
import {
  CANONICAL_FACE,
  estimateHeadPose,
  headPoseFromKeypoints,
  headPoseFromMesh,
  keypointPoseRatios,
} from '../../../src/lib/math/head-pose';
import { RAD, rotation, syntheticMesh } from './synthetic-mesh';

describe('headPoseFromMesh', () => {
  it('reads 0, 0, 0 on the frontal canonical face, from the mesh', () => {
    const pose = headPoseFromMesh(syntheticMesh(0, 0, 0));
    expect(pose.source).toBe('mesh');
    expect(pose.yaw).toBeCloseTo(0, 6);
    expect(pose.pitch).toBeCloseTo(0, 6);
    expect(pose.roll).toBeCloseTo(0, 6);
  });

  it('recovers known yaw, pitch and roll, alone and combined', () => {
    const cases: [number, number, number][] = [
      [25, 0, 0],
      [-25, 0, 0],
      [40, 0, 0],
      [0, 20, 0],
      [0, -20, 0],
      [0, 0, 15],
      [0, 0, -15],
      [20, -15, 10],
      [-30, 12, -8],
      [10, 25, 5],
    ];
    for (const [yaw, pitch, roll] of cases) {
      const pose = headPoseFromMesh(syntheticMesh(yaw, pitch, roll));
      expect(pose.yaw).toBeCloseTo(yaw, 4);
      expect(pose.pitch).toBeCloseTo(pitch, 4);
      expect(pose.roll).toBeCloseTo(roll, 4);
    }
  });

  it('stays within a few degrees under perspective and pixel noise', () => {
    // Perspective makes a turned face read a little more turned (the near side is magnified):
    // about +4° at 25° for a face 50 cm away; the fit assumes an orthographic camera.
    const cases: [number, number, number][] = [
      [0, 0, 0],
      [25, 0, 0],
      [-25, 5, 0],
      [0, -20, 0],
      [0, 20, 5],
      [15, 15, -10],
    ];
    for (const [yaw, pitch, roll] of cases) {
      // A ~200 px wide face 50 cm from the camera, landmarks off by up to 1.5 px.
      const pose = headPoseFromMesh(syntheticMesh(yaw, pitch, roll, { distance: 50, noise: 1.5 }));
      expect(Math.abs(pose.yaw - yaw)).toBeLessThan(5);
      expect(Math.abs(pose.pitch - pitch)).toBeLessThan(3);
      expect(Math.abs(pose.roll - roll)).toBeLessThan(3);
    }
  });

  it('does not depend on where the face is or how large it is', () => {
    const a = headPoseFromMesh(syntheticMesh(20, -10, 5));
    const b = headPoseFromMesh(syntheticMesh(20, -10, 5, { scale: 40, centre: [900, 100] }));
    expect(b.yaw).toBeCloseTo(a.yaw, 6);
    expect(b.pitch).toBeCloseTo(a.pitch, 6);
    expect(b.roll).toBeCloseTo(a.roll, 6);
  });

  it('keeps the sign and roughly the size for a flatter or deeper face', () => {
    for (const depth of [0.8, 1.25]) {
      const left = headPoseFromMesh(syntheticMesh(25, 0, 0, { depth }));
      expect(left.yaw).toBeGreaterThan(15);
      expect(left.yaw).toBeLessThan(35);
      const down = headPoseFromMesh(syntheticMesh(0, 20, 0, { depth }));
      expect(down.pitch).toBeGreaterThan(12);
      expect(down.pitch).toBeLessThan(30);
    }
  });

  it('follows the documented signs: turned to their left moves the nose to the image right', () => {
    const mesh = syntheticMesh(20, 0, 0);
    const nose = mesh[MESH.noseTip]!;
    const between = [mesh[MESH.rightEyeInner]!, mesh[MESH.leftEyeInner]!];
    expect(nose[0]).toBeGreaterThan((between[0]![0] + between[1]![0]) / 2);
    expect(headPoseFromMesh(mesh).yaw).toBeGreaterThan(0);

    // Chin down: the nose tip drops towards the mouth; pitch > 0.
    const down = syntheticMesh(0, 15, 0);
    const frontal = syntheticMesh(0, 0, 0);
    expect(down[MESH.noseTip]![1] - down[MESH.rightEyeInner]![1]).toBeGreaterThan(
      frontal[MESH.noseTip]![1] - frontal[MESH.rightEyeInner]![1],
    );
    expect(headPoseFromMesh(down).pitch).toBeGreaterThan(0);

    // Roll > 0: the eye on the image's right (the subject's left eye) is lower.
    const tilted = syntheticMesh(0, 0, 10);
    expect(tilted[MESH.leftEyeOuter]![1]).toBeGreaterThan(tilted[MESH.rightEyeOuter]![1]);
    expect(headPoseFromMesh(tilted).roll).toBeGreaterThan(0);
  });

  it('returns NaN angles, not a plausible pose, for NaN or collapsed points', () => {
    const mesh = syntheticMesh(0, 0, 0);
    mesh[MESH.noseTip] = [NaN, 100, 0];
    const pose = headPoseFromMesh(mesh);
    expect(pose.yaw).toBeNaN();
    expect(pose.pitch).toBeNaN();
    expect(pose.roll).toBeNaN();

    const collapsed: Point3[] = Array.from({ length: MESH_POINTS }, () => [5, 5, 0] as const);
    const flat = headPoseFromMesh(collapsed);
    expect(Number.isNaN(flat.yaw) || Number.isNaN(flat.pitch)).toBe(true);
  });

  it('throws when the mesh is too short', () => {
    expect(() => headPoseFromMesh(syntheticMesh(0, 0, 0).slice(0, 100))).toThrow(RangeError);
  });
});

/** The template scaled and placed in a 640x480 frame: a frontal, level face ~200 px wide. */
function frontalKeypoints(scale = 3, ox = 150, oy = 50): Point[] {
  return ALIGN_TEMPLATE_112.map(([x, y]): Point => [ox + scale * x, oy + scale * y]);
}

/** Canonical eye centres, nose tip and mouth centre, rotated and projected (orthographic). */
function canonicalKeypoints(yaw: number, pitch: number): Point[] {
  const rotate = rotation(yaw, pitch, 0);
  const c = (i: number) => CANONICAL_FACE[i]!;
  const mid = (a: readonly number[], b: readonly number[]) => a.map((v, k) => (v + b[k]!) / 2);
  const points = [
    mid(c(MESH.rightEyeOuter), c(MESH.rightEyeInner)),
    mid(c(MESH.leftEyeInner), c(MESH.leftEyeOuter)),
    c(MESH.noseTip),
    mid(c(MESH.upperLip), c(MESH.lowerLip)),
  ];
  return points.map((p) => {
    const [x, y] = rotate(p);
    return [320 + 14 * x, 240 + 14 * y];
  });
}

describe('headPoseFromKeypoints (2D fallback)', () => {
  it('reads ~0 on the frontal template, in degrees, from the keypoints', () => {
    const pose = headPoseFromKeypoints(frontalKeypoints());
    expect(pose.source).toBe('keypoints');
    expect(Math.abs(pose.roll)).toBeLessThan(0.5);
    expect(Math.abs(pose.yaw)).toBeLessThan(1);
    expect(pose.pitch).toBeCloseTo(0, 6);
  });

  it('maps yaw to degrees exactly for the canonical face, with the mesh signs', () => {
    for (const yaw of [-30, -15, 15, 30]) {
      expect(headPoseFromKeypoints(canonicalKeypoints(yaw, 0)).yaw).toBeCloseTo(yaw, 6);
    }
  });

  it('maps pitch to degrees approximately, with the mesh signs', () => {
    const frontal = headPoseFromKeypoints(canonicalKeypoints(0, 0)).pitch;
    for (const pitch of [-25, -12, 12, 25]) {
      const read = headPoseFromKeypoints(canonicalKeypoints(0, pitch)).pitch - frontal;
      expect(Math.sign(read)).toBe(Math.sign(pitch));
      expect(Math.abs(read - pitch)).toBeLessThan(5);
    }
  });

  it('keeps the eye-line roll and makes yaw/pitch roll-invariant', () => {
    const kps = frontalKeypoints();
    const [cx, cy] = kps[2]!;
    const r = 25 * RAD;
    const tilted = kps.map(([x, y]): Point => [
      cx + Math.cos(r) * (x - cx) - Math.sin(r) * (y - cy),
      cy + Math.sin(r) * (x - cx) + Math.cos(r) * (y - cy),
    ]);
    const a = headPoseFromKeypoints(kps);
    const b = headPoseFromKeypoints(tilted);
    expect(b.roll - a.roll).toBeCloseTo(25, 6);
    expect(b.yaw).toBeCloseTo(a.yaw, 6);
    expect(b.pitch).toBeCloseTo(a.pitch, 6);
  });

  it('reports the raw ratios and the eye distance', () => {
    const ratios = keypointPoseRatios(frontalKeypoints());
    expect(ratios.interocular).toBeCloseTo(3 * 35.24, 0);
    expect(Math.abs(ratios.yawRatio)).toBeLessThan(0.01);
  });

  it('is NaN for coincident eyes and throws with fewer than 4 keypoints', () => {
    const pose = headPoseFromKeypoints([
      [10, 10],
      [10, 10],
      [10, 20],
      [10, 30],
    ]);
    expect(pose.yaw).toBeNaN();
    expect(pose.pitch).toBeNaN();
    expect(() => headPoseFromKeypoints(frontalKeypoints().slice(0, 3))).toThrow(/4 keypoints/);
  });
});

describe('estimateHeadPose', () => {
  it('prefers the mesh, falls back to the keypoints, else null', () => {
    const mesh = { points: syntheticMesh(20, 0, 0), score: 0.9 };
    expect(estimateHeadPose(frontalKeypoints(), mesh)?.source).toBe('mesh');
    expect(estimateHeadPose(frontalKeypoints(), mesh)?.yaw).toBeCloseTo(20, 4);
    expect(estimateHeadPose(frontalKeypoints(), null)?.source).toBe('keypoints');
    expect(estimateHeadPose(frontalKeypoints().slice(0, 2), null)).toBeNull();
    expect(estimateHeadPose(null, undefined)).toBeNull();
  });
});
