/**
 * The 468-point face mesh (MediaPipe Face Mesh topology) as the front end hands it on: points in
 * source-image pixels, z in the same pixel scale (positive away from the camera, relative to the
 * face's centre), so poses and alignment can be computed without the DOM or tfjs.
 */
import type { Point } from './align';

export type Point3 = readonly [number, number, number];

export const MESH_POINTS = 468;

/**
 * Mesh indices used by the pure logic. "Right"/"left" are the subject's: the subject's right eye is
 * on the image's left in an unmirrored frame.
 */
export const MESH = {
  rightEyeOuter: 33,
  rightEyeInner: 133,
  leftEyeInner: 362,
  leftEyeOuter: 263,
  /** Upper and lower lids of each eye, for the eye-aspect ratio. */
  rightEyeUpper: 159,
  rightEyeLower: 145,
  leftEyeUpper: 386,
  leftEyeLower: 374,
  noseTip: 1,
  mouthRight: 61,
  mouthLeft: 291,
  upperLip: 13,
  lowerLip: 14,
  forehead: 10,
  chin: 152,
  /** Cheek points at the face's edge, level with the nose. */
  rightCheek: 234,
  leftCheek: 454,
} as const;

export interface FaceMesh {
  /** MESH_POINTS points, source pixels. */
  points: Point3[];
  /** The landmark model's face-presence confidence, 0..1. */
  score: number;
}

function mid(a: Point3, b: Point3): Point {
  return [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
}

function at(points: readonly Point3[], i: number): Point3 {
  const p = points[i];
  if (!p) throw new RangeError(`face mesh has no point ${i} (got ${points.length} points)`);
  return p;
}

/**
 * The five ArcFace alignment points from the mesh, in ARCFACE_TEMPLATE_112 order: eye centre on the
 * image's left, eye centre on the image's right, nose tip, mouth corner on the image's left, mouth
 * corner on the image's right. Eye centres are the means of each eye's two corners (as in
 * ../shared/MODELS.md's measurement that scored 93.95 % in the wild).
 */
export function meshAlignmentPoints(points: readonly Point3[]): Point[] {
  const p = (i: number) => at(points, i);
  const nose = p(MESH.noseTip);
  const mouthR = p(MESH.mouthRight);
  const mouthL = p(MESH.mouthLeft);
  return [
    mid(p(MESH.rightEyeOuter), p(MESH.rightEyeInner)),
    mid(p(MESH.leftEyeInner), p(MESH.leftEyeOuter)),
    [nose[0], nose[1]],
    [mouthR[0], mouthR[1]],
    [mouthL[0], mouthL[1]],
  ];
}
