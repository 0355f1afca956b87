/**
 * A synthetic 3-D face for the liveness tests: every point the check reads, on a head-like surface
 * (the nose standing out), with eyes and mouth that open and close, seen by a pinhole camera.
 */
import type { Point3 } from '../../../src/lib/math/face-mesh';
import type { Homography } from '../../../src/lib/math/homography';
import { applyHomography } from '../../../src/lib/math/homography';
import {
  LID_PAIRS,
  LIP_PAIRS,
  LIVENESS_POINTS,
  MOUTH_CORNERS,
} from '../../../src/lib/decisions/liveness-points';
import type { MeshPoints } from '../../../src/lib/decisions/liveness';
import { seededRandom } from '../../../src/lib/math/seeded-random';
import { rotation } from '../math/synthetic-mesh';

type V3 = [number, number, number];

/** Model centimetres: x right, y down, z away from the camera; the face's centre at the origin. */
function layout(): Map<number, V3> {
  const random = seededRandom(7);
  const at = new Map<number, V3>();
  const set = (i: number, p: V3) => at.set(i, p);
  // Eye corners and centres.
  set(33, [-4.4, -1.5, 1.2]);
  set(133, [-1.6, -1.4, 1.0]);
  set(362, [1.6, -1.4, 1.0]);
  set(263, [4.4, -1.5, 1.2]);
  set(61, [-2.4, 3.9, 0.6]);
  set(291, [2.4, 3.9, 0.6]);
  // Nose: bridge to tip, standing out towards the camera.
  const nose: [number, V3][] = [
    [6, [0, -1.6, 0.2]],
    [168, [0, -2.4, 0.4]],
    [197, [0, -0.6, -0.4]],
    [195, [0, 0.3, -1.0]],
    [5, [0, 0.9, -1.6]],
    [4, [0, 1.4, -2.0]],
    [1, [0, 1.6, -2.3]],
    [2, [0, 2.3, -1.4]],
    [98, [-1.3, 2.1, -0.2]],
    [327, [1.3, 2.1, -0.2]],
  ];
  for (const [i, p] of nose) set(i, p);
  // Everything else rigid: on an ellipsoid, deterministic.
  for (const i of LIVENESS_POINTS) {
    if (at.has(i)) continue;
    const u = (random() - 0.5) * 2.4;
    const v = (random() - 0.5) * 2.4;
    set(i, [7 * Math.sin(u), 8 * Math.sin(v), 3.5 * (1 - Math.cos(u) * Math.cos(v)) + 1.5]);
  }
  return at;
}

const LAYOUT = layout();

export interface FaceState {
  yaw?: number;
  pitch?: number;
  roll?: number;
  /** 1 open, 0 shut. */
  eyes?: number;
  /** Inner-lip gap, cm. */
  mouth?: number;
  /** Image position of the face's centre and pixels per cm. */
  centre?: [number, number];
  scale?: number;
}

/** The face's points as the camera sees them (pinhole at 50 cm). */
export function liveFace(state: FaceState = {}): MeshPoints {
  const {
    yaw = 0,
    pitch = 0,
    roll = 0,
    eyes = 1,
    mouth = 0.2,
    centre = [320, 240],
    scale = 10,
  } = state;
  const rotate = rotation(yaw, pitch, roll);
  const model = new Map(LAYOUT);
  // Lids: upper and lower 0.5 cm apart when open, meeting when shut.
  for (const [u, l] of LID_PAIRS) {
    const side = u > 300 ? 1 : -1;
    const x = side * (2.6 + 0.4 * ((u % 3) - 1));
    model.set(u, [x, -1.45 - 0.25 * eyes, 0.9]);
    model.set(l, [x, -1.45 + 0.25 * eyes, 0.9]);
  }
  for (const [k, [u, l]] of LIP_PAIRS.entries()) {
    const x = (k - 1) * 0.9;
    model.set(u, [x, 3.9 - mouth / 2, 0.3]);
    model.set(l, [x, 3.9 + mouth / 2, 0.3]);
  }
  void MOUTH_CORNERS;
  const out: Record<number, Point3> = {};
  const distance = 50;
  for (const [i, p] of model) {
    const [x, y, z] = rotate(p);
    const k = (scale * distance) / (distance + z);
    out[i] = [centre[0] + k * x, centre[1] + k * y, k * z];
  }
  return out;
}

/** A flat picture of the face (taken once) seen through the homography `h`, with pixel noise. */
export function photo(taken: MeshPoints, h: Homography, noise = 0, seed = 1): MeshPoints {
  const random = seededRandom(seed);
  const out: Record<number, Point3> = {};
  for (const i of LIVENESS_POINTS) {
    const p = taken[i];
    if (!p) continue;
    const [x, y] = applyHomography(h, [p[0], p[1]]);
    out[i] = [x + noise * (2 * random() - 1), y + noise * (2 * random() - 1), 0];
  }
  return out;
}
