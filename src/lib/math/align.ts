/**
 * Face alignment: the similarity transform that maps face landmarks (five face-mesh points, see
 * face-mesh.ts) onto the canonical 112x112 crop the embedding model was trained on.
 */

export type Point = readonly [number, number];

/** x' = a*x - b*y + tx, y' = b*x + a*y + ty, where a = s*cos(θ), b = s*sin(θ). */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

export class AlignmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AlignmentError';
  }
}

export const ALIGNED_SIZE = 112;

/**
 * The ArcFace / InsightFace 112x112 five-point template (`arcface_dst` in
 * insightface python-package/insightface/utils/face_align.py). ArcFace-family
 * embedders were trained on crops warped onto exactly these points, so our crops
 * must land on them too. Order: eye on the image's left (subject's right eye),
 * eye on the image's right, nose tip, mouth corner on the image's left, mouth
 * corner on the image's right.
 */
export const ARCFACE_TEMPLATE_112: readonly Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/**
 * The detector's four-point layout (head-pose.ts's keypoint fallback measures against it;
 * crops are no longer aligned on it). MediaPipe BlazeFace gives one mouth-centre
 * point instead of two corners, so the fourth point is the midpoint of the two
 * ArcFace mouth corners: ((41.5493 + 70.7299) / 2, (92.3655 + 92.2041) / 2).
 * Order matches MediaPipe keypoints 0..3 (right eye, left eye, nose tip, mouth).
 */
export const ALIGN_TEMPLATE_112: readonly Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [56.1396, 92.2848],
];

function assertFinitePoints(points: readonly Point[], name: string): void {
  points.forEach(([x, y], i) => {
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      throw new AlignmentError(`${name} point ${i} has a non-finite coordinate (${x}, ${y})`);
    }
  });
}

/**
 * Least-squares similarity (rotation, uniform scale, translation; never a reflection)
 * mapping src onto dst: Umeyama 1991. In 2D, parameterising the linear part as
 * [[a, -b], [b, a]] makes the problem linear in (a, b, tx, ty) and its determinant
 * a² + b² can never be negative, so the closed form below equals Umeyama's
 * reflection-free solution.
 */
export function estimateSimilarity(src: readonly Point[], dst: readonly Point[]): Similarity {
  if (src.length !== dst.length) {
    throw new AlignmentError(
      `point count mismatch: ${src.length} source points vs ${dst.length} destination points`,
    );
  }
  if (src.length < 2) {
    throw new AlignmentError(`need at least 2 point pairs, got ${src.length}`);
  }
  assertFinitePoints(src, 'source');
  assertFinitePoints(dst, 'destination');

  const n = src.length;
  let sx = 0;
  let sy = 0;
  let dx = 0;
  let dy = 0;
  for (let i = 0; i < n; i++) {
    const [px, py] = src[i] as Point;
    const [qx, qy] = dst[i] as Point;
    sx += px;
    sy += py;
    dx += qx;
    dy += qy;
  }
  sx /= n;
  sy /= n;
  dx /= n;
  dy /= n;

  let srcVar = 0;
  let srcScale = 0;
  let dot = 0;
  let cross = 0;
  for (let i = 0; i < n; i++) {
    const [px, py] = src[i] as Point;
    const [qx, qy] = dst[i] as Point;
    const u = px - sx;
    const v = py - sy;
    const p = qx - dx;
    const q = qy - dy;
    srcVar += u * u + v * v;
    srcScale += px * px + py * py;
    dot += u * p + v * q;
    cross += u * q - v * p;
  }

  // Relative test: points that differ only by rounding noise are still degenerate.
  if (!(srcVar > 1e-12 * Math.max(1, srcScale))) {
    throw new AlignmentError('degenerate source points: all points coincide (zero spread)');
  }

  const a = dot / srcVar;
  const b = cross / srcVar;
  return { a, b, tx: dx - (a * sx - b * sy), ty: dy - (b * sx + a * sy) };
}

export function applySimilarity(t: Similarity, [x, y]: Point): Point {
  return [t.a * x - t.b * y + t.tx, t.b * x + t.a * y + t.ty];
}

export function invertSimilarity(t: Similarity): Similarity {
  const det = t.a * t.a + t.b * t.b;
  if (!(det > 0) || !Number.isFinite(det)) {
    throw new AlignmentError('cannot invert a similarity with zero or non-finite scale');
  }
  const a = t.a / det;
  const b = -t.b / det;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

export function similarityScale(t: Similarity): number {
  return Math.hypot(t.a, t.b);
}

/** Rotation angle in radians, in (-π, π]. */
export function similarityAngle(t: Similarity): number {
  return Math.atan2(t.b, t.a);
}

/** [a, b, c, d, e, f] for CanvasRenderingContext2D.setTransform / DOMMatrix. */
export function toCanvasMatrix(t: Similarity): [number, number, number, number, number, number] {
  return [t.a, t.b, -t.b, t.a, t.tx, t.ty];
}
