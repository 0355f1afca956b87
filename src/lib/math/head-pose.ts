/**
 * Head pose (yaw, pitch, roll) in degrees: one type and one estimator, used by the quality gate
 * and by guided enrollment alike.
 *
 * Sign conventions (the analysed frame as the camera delivers it, never mirrored; "left"/"right"
 * are the subject's own):
 * - yaw > 0: the subject turned their head to THEIR LEFT, so the nose moves towards the image's
 *   right. yaw < 0: turned to their right.
 * - pitch > 0: chin down (nose drops towards the mouth). pitch < 0: chin up.
 * - roll > 0: head tilted towards the subject's left shoulder, i.e. the eye on the image's right
 *   is lower (clockwise on screen, as image y points down).
 * A UI that mirrors the video changes none of this: the subject's left stays their left.
 *
 * The rotation is R = Ry(-yaw) · Rx(pitch) · Rz(roll) in camera axes (x right, y down, z away
 * from the camera), applied to a face that looks straight into the camera: turn, then nod, then
 * tilt.
 */
import { ALIGN_TEMPLATE_112, type Point } from './align';
import { MESH, type FaceMesh, type Point3 } from './face-mesh';

export interface HeadPose {
  /** Degrees; > 0 turned to the subject's left (nose towards the image's right). */
  yaw: number;
  /** Degrees; > 0 chin down. */
  pitch: number;
  /** Degrees; > 0 tilted towards the subject's left shoulder (image-right eye lower). */
  roll: number;
  /** What it was measured on: the 468-point mesh, or the detector's 4 keypoints (coarser). */
  source: 'mesh' | 'keypoints';
}

const DEG = 180 / Math.PI;

type Vec3 = [number, number, number];

/**
 * A few points of MediaPipe's canonical face model (mediapipe/modules/face_geometry/data/
 * canonical_face_model.obj, Apache-2.0, centimetres), converted to camera axes: x towards the
 * image's right, y down, z away from the camera. The face looks straight into the camera.
 */
export const CANONICAL_FACE: Readonly<Record<number, Readonly<Vec3>>> = {
  [MESH.noseTip]: [0, 1.126865, -7.475604],
  6: [0, -2.473255, -5.788627], // nose bridge between the eyes
  [MESH.forehead]: [0, -8.261778, -4.481535],
  [MESH.chin]: [0, 9.403378, -4.264492],
  [MESH.rightEyeOuter]: [-4.445859, -2.663991, -3.173422],
  [MESH.rightEyeInner]: [-1.856432, -2.585245, -3.757904],
  [MESH.leftEyeInner]: [1.856432, -2.585245, -3.757904],
  [MESH.leftEyeOuter]: [4.445859, -2.663991, -3.173422],
  [MESH.rightCheek]: [-7.664182, -0.673132, 2.435867],
  [MESH.leftCheek]: [7.664182, -0.673132, 2.435867],
  [MESH.mouthRight]: [-2.456206, 4.342621, -4.283884],
  [MESH.mouthLeft]: [2.456206, 4.342621, -4.283884],
  [MESH.upperLip]: [0, 3.994436, -5.219482],
  [MESH.lowerLip]: [0, 4.5424, -5.404754],
};

/**
 * The points the pose is fitted on: rigid parts of the face spread in all three dimensions
 * (nose tip in front, cheeks at the back). The lips are left out: an open mouth moves them.
 */
const FIT_INDICES: readonly number[] = [
  MESH.noseTip,
  6,
  MESH.forehead,
  MESH.chin,
  MESH.rightEyeOuter,
  MESH.rightEyeInner,
  MESH.leftEyeInner,
  MESH.leftEyeOuter,
  MESH.rightCheek,
  MESH.leftCheek,
  MESH.mouthRight,
  MESH.mouthLeft,
];

function canonical(i: number): Readonly<Vec3> {
  const p = CANONICAL_FACE[i];
  if (!p) throw new RangeError(`no canonical point ${i}`);
  return p;
}

function invert3(m: readonly (readonly number[])[]): number[][] {
  const [a = 0, b = 0, c = 0] = m[0] ?? [];
  const [d = 0, e = 0, f = 0] = m[1] ?? [];
  const [g = 0, h = 0, i = 0] = m[2] ?? [];
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [
    [A / det, -(b * i - c * h) / det, (b * f - c * e) / det],
    [B / det, (a * i - c * g) / det, -(a * f - c * d) / det],
    [C / det, -(a * h - b * g) / det, (a * e - b * d) / det],
  ];
}

// The model side of the least-squares fit is constant: centre it and invert its scatter once.
const MODEL = (() => {
  const pts = FIT_INDICES.map(canonical);
  const mean: Vec3 = [0, 0, 0];
  for (const p of pts) for (let k = 0; k < 3; k++) mean[k]! += p[k]! / pts.length;
  const centred = pts.map((p): Vec3 => [p[0] - mean[0], p[1] - mean[1], p[2] - mean[2]]);
  const scatter = [0, 1, 2].map((r) =>
    [0, 1, 2].map((c) => centred.reduce((s, p) => s + p[r]! * p[c]!, 0)),
  );
  return { centred, inverseScatter: invert3(scatter) };
})();

function norm(v: Vec3): number {
  return Math.hypot(v[0], v[1], v[2]);
}

function scale(v: Vec3, k: number): Vec3 {
  return [v[0] * k, v[1] * k, v[2] * k];
}

function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

/** Euler angles, degrees, of the rotation whose rows are r1, r2, r3 (see the file comment). */
function eulerFromRows(r1: Vec3, r2: Vec3, r3: Vec3): Omit<HeadPose, 'source'> {
  return {
    yaw: Math.atan2(-r1[2], r3[2]) * DEG,
    pitch: Math.atan2(-r2[2], Math.hypot(r1[2], r3[2])) * DEG,
    roll: Math.atan2(r2[0], r2[1]) * DEG,
  };
}

/**
 * Head pose from the 468-point face mesh. The canonical face is fitted to the mesh's image
 * positions (x, y) under a scaled orthographic camera (linear least squares over twelve rigid
 * points: a 2x3 map plus a shift); the map's two rows, made orthonormal, are the first two rows
 * of the rotation and their cross product the third. The mesh's own z is not used: its scale
 * depends on the landmark pipeline (it may stay in the model's input units), and under this
 * camera the two image axes already determine the rotation. Perspective at webcam distances
 * makes a turned face read slightly more turned (about +4° at 25° for a face 50 cm away), and a
 * face deeper or flatter than the canonical one reads proportionally more or less turned: good
 * to a few degrees, which is what the gate and the guided enrollment need.
 *
 * NaN anywhere in the fitted points gives NaN angles (never a plausible-looking pose). Throws a
 * RangeError when the mesh has too few points.
 */
export function headPoseFromMesh(points: readonly Point3[]): HeadPose {
  const n = FIT_INDICES.length;
  const observed: Point[] = FIT_INDICES.map((i) => {
    const p = points[i];
    if (!p) throw new RangeError(`face mesh has no point ${i} (got ${points.length} points)`);
    return [p[0], p[1]];
  });
  let mx = 0;
  let my = 0;
  for (const [x, y] of observed) {
    mx += x / n;
    my += y / n;
  }
  // B = sum of centred observed (2) times centred model (3)^T; the map is A = B * S^-1.
  const bx: Vec3 = [0, 0, 0];
  const by: Vec3 = [0, 0, 0];
  observed.forEach(([x, y], j) => {
    const m = MODEL.centred[j]!;
    for (let k = 0; k < 3; k++) {
      bx[k]! += (x - mx) * m[k]!;
      by[k]! += (y - my) * m[k]!;
    }
  });
  const inv = MODEL.inverseScatter;
  const row = (b: Vec3): Vec3 =>
    [0, 1, 2].map((c) => b[0] * inv[0]![c]! + b[1] * inv[1]![c]! + b[2] * inv[2]![c]!) as Vec3;
  const a1 = row(bx);
  const a2 = row(by);
  // Nearest orthonormal pair, symmetric in the two rows: orthogonalise about their bisector.
  const u = scale(a1, 1 / norm(a1));
  const v = scale(a2, 1 / norm(a2));
  const sum: Vec3 = [u[0] + v[0], u[1] + v[1], u[2] + v[2]];
  const diff: Vec3 = [u[0] - v[0], u[1] - v[1], u[2] - v[2]];
  const e = scale(sum, 1 / norm(sum));
  const f = scale(diff, 1 / norm(diff));
  const r1 = scale([e[0] + f[0], e[1] + f[1], e[2] + f[2]], Math.SQRT1_2);
  const r2 = scale([e[0] - f[0], e[1] - f[1], e[2] - f[2]], Math.SQRT1_2);
  const r3 = cross(r1, r2);
  return { ...eulerFromRows(r1, r2, r3), source: 'mesh' };
}

/** Ratios and pixel sizes from the detector's 4 keypoints, before any conversion to degrees. */
export interface KeypointPoseRatios {
  /** Degrees; the eye line's angle from horizontal, > 0 when the image-right eye is lower. */
  roll: number;
  /** Nose offset along the eye line from the eye midpoint, over the interocular distance. */
  yawRatio: number;
  /** (eyes→nose − nose→mouth) / (eyes→mouth), across the eye line. */
  pitchRatio: number;
  /** Pixels between the eye keypoints. */
  interocular: number;
}

/**
 * Ratios from the 2D keypoints 0..3 (eye on the image's left, eye on the image's right, nose tip,
 * mouth centre). Offsets are measured in the face's own frame (rotated by roll) so a tilted head
 * does not read as turned. Ears are not used: the far ear is hidden or guessed exactly when yaw
 * is large. Pitch uses the nose tip sticking out of the face plane: looking down moves its
 * projection towards the mouth, looking up towards the eyes.
 */
export function keypointPoseRatios(keypoints: readonly Point[]): KeypointPoseRatios {
  const [rightEye, leftEye, nose, mouth] = keypoints;
  if (!rightEye || !leftEye || !nose || !mouth) {
    throw new RangeError(`head pose needs 4 keypoints, got ${keypoints.length}`);
  }
  const ex = leftEye[0] - rightEye[0];
  const ey = leftEye[1] - rightEye[1];
  const interocular = Math.hypot(ex, ey);
  const roll = Math.atan2(ey, ex) * DEG;
  if (!(interocular > 0)) return { roll, yawRatio: NaN, pitchRatio: NaN, interocular };
  // u along the eye line, v perpendicular to it, pointing down the face.
  const ux = ex / interocular;
  const uy = ey / interocular;
  const vx = -uy;
  const vy = ux;
  const mx = (rightEye[0] + leftEye[0]) / 2;
  const my = (rightEye[1] + leftEye[1]) / 2;
  const yawRatio = ((nose[0] - mx) * ux + (nose[1] - my) * uy) / interocular;
  const eyesToNose = (nose[0] - mx) * vx + (nose[1] - my) * vy;
  const eyesToMouth = (mouth[0] - mx) * vx + (mouth[1] - my) * vy;
  const pitchRatio =
    eyesToMouth > 0 ? (eyesToNose - (eyesToMouth - eyesToNose)) / eyesToMouth : NaN;
  return { roll, yawRatio, pitchRatio, interocular };
}

/**
 * Converting the 2D ratios to degrees with the canonical face's geometry (weak perspective):
 * - yaw: the nose tip stands d = 4.0 cm in front of the eye centres, which are 6.3 cm apart, so a
 *   turn by θ moves the nose by d·sin θ while the eyes close up to 6.3·cos θ: yawRatio =
 *   (d / 6.3)·tan θ, θ = atan(yawRatio / 0.64). Exact for that face; real noses vary by ±20 %.
 * - pitch: the ratio's change from the frontal template, times its slope at 0 for the canonical
 *   eye, nose and mouth-centre heights and depths (≈ 1.15 per radian of tan), through atan.
 *   Approximate (±5° at 25°); the frontal reference is ALIGN_TEMPLATE_112, as before.
 */
const KEYPOINT_CALIBRATION = (() => {
  const p = (i: number) => canonical(i);
  const mid = (a: Readonly<Vec3>, b: Readonly<Vec3>): Vec3 => [
    (a[0] + b[0]) / 2,
    (a[1] + b[1]) / 2,
    (a[2] + b[2]) / 2,
  ];
  const rightEye = mid(p(MESH.rightEyeOuter), p(MESH.rightEyeInner));
  const leftEye = mid(p(MESH.leftEyeInner), p(MESH.leftEyeOuter));
  const eyes = mid(rightEye, leftEye);
  const nose = p(MESH.noseTip);
  const mouth = mid(p(MESH.upperLip), p(MESH.lowerLip));
  const noseDepth = eyes[2] - nose[2];
  const yawRatioPerTan = noseDepth / (leftEye[0] - rightEye[0]);
  // Pitch b moves each height y to y·cos b − z·sin b; d(tan b)/d(ratio) at the frontal ratio r0.
  const dy = mouth[1] - eyes[1];
  const dz = mouth[2] - eyes[2];
  const q = 2 * nose[2] - eyes[2] - mouth[2];
  const r0 = (2 * nose[1] - eyes[1] - mouth[1]) / dy;
  const tanPerPitchRatio = dy / (r0 * dz - q);
  const template = keypointPoseRatios(ALIGN_TEMPLATE_112).pitchRatio;
  return { yawRatioPerTan, tanPerPitchRatio, templatePitchRatio: template };
})();

/** The 2D fallback for frames without a mesh, in the same degrees and signs as the mesh pose. */
export function headPoseFromKeypoints(keypoints: readonly Point[]): HeadPose {
  const { roll, yawRatio, pitchRatio } = keypointPoseRatios(keypoints);
  const k = KEYPOINT_CALIBRATION;
  return {
    yaw: Math.atan(yawRatio / k.yawRatioPerTan) * DEG,
    pitch: Math.atan((pitchRatio - k.templatePitchRatio) * k.tanPerPitchRatio) * DEG,
    roll,
    source: 'keypoints',
  };
}

/**
 * The one pose of a frame: from the mesh when there is one, else from the detector's keypoints,
 * else null (nothing to judge).
 */
export function estimateHeadPose(
  keypoints: readonly Point[] | null,
  mesh: FaceMesh | null | undefined,
): HeadPose | null {
  if (mesh) return headPoseFromMesh(mesh.points);
  if (keypoints && keypoints.length >= 4) return headPoseFromKeypoints(keypoints);
  return null;
}
