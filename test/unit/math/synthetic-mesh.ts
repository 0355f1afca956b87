/** Synthetic face meshes for the pose tests: the canonical face rotated by a known pose and projected. */
import type { Point } from '../../../src/lib/math/align';
import { MESH_POINTS, type Point3 } from '../../../src/lib/math/face-mesh';
import { CANONICAL_FACE } from '../../../src/lib/math/head-pose';

type V3 = [number, number, number];
export const RAD = Math.PI / 180;

/** R = Ry(-yaw) · Rx(pitch) · Rz(roll), camera axes x right, y down, z away from the camera. */
export function rotation(yaw: number, pitch: number, roll: number): (p: readonly number[]) => V3 {
  const a = -yaw * RAD;
  const b = pitch * RAD;
  const c = roll * RAD;
  return ([x = 0, y = 0, z = 0]) => {
    // Rz
    const x1 = Math.cos(c) * x - Math.sin(c) * y;
    const y1 = Math.sin(c) * x + Math.cos(c) * y;
    // Rx
    const y2 = Math.cos(b) * y1 - Math.sin(b) * z;
    const z2 = Math.sin(b) * y1 + Math.cos(b) * z;
    // Ry
    const x3 = Math.cos(a) * x1 + Math.sin(a) * z2;
    const z3 = -Math.sin(a) * x1 + Math.cos(a) * z2;
    return [x3, y2, z3];
  };
}

export interface MeshOptions {
  /** Pixels per model centimetre. */
  scale?: number;
  centre?: Point;
  /** Camera distance in centimetres for a pinhole projection; orthographic when absent. */
  distance?: number;
  /** Multiplies the face's depth (a flatter or deeper face than the canonical one). */
  depth?: number;
  /** Deterministic pseudo-noise amplitude in pixels. */
  noise?: number;
}

/**
 * A 468-point mesh where only the canonical points are real and every other point is NaN (so the
 * estimator provably reads only those), rotated and projected into a 640x480 frame.
 */
export function syntheticMesh(
  yaw: number,
  pitch: number,
  roll: number,
  o: MeshOptions = {},
): Point3[] {
  const { scale = 14, centre = [320, 240], distance, depth = 1, noise = 0 } = o;
  const rotate = rotation(yaw, pitch, roll);
  const points: Point3[] = Array.from({ length: MESH_POINTS }, () => [NaN, NaN, NaN] as const);
  let seed = 1;
  const jitter = () => {
    seed = (seed * 16807) % 2147483647;
    return ((seed / 2147483647) * 2 - 1) * noise;
  };
  for (const [key, p] of Object.entries(CANONICAL_FACE)) {
    const [x, y, z] = rotate([p[0], p[1], p[2] * depth]);
    const k = distance === undefined ? scale : (scale * distance) / (distance + z);
    points[Number(key)] = [centre[0] + k * x + jitter(), centre[1] + k * y + jitter(), k * z];
  }
  return points;
}
