/**
 * Where the face-mesh model looks: a square, rotated region of the source image warped to the
 * model's input. Following MediaPipe's face_landmark graphs, the region is 1.5 times the face's
 * box, rotated so the eyes are level (from the detector's eye keypoints on the first frame, from
 * the previous mesh's eye corners when tracking).
 */
import type { Point, Similarity } from './align';
import type { FaceBox } from './face-select';
import { MESH, type Point3 } from './face-mesh';

/** MediaPipe's RectTransformationCalculator scale for face landmarks, detection and tracking alike. */
export const ROI_SCALE = 1.5;

/** The similarity from source pixels onto a size x size crop centred on (cx, cy), side `side`, eye line at `angle`. */
export function roiTransform(
  cx: number,
  cy: number,
  side: number,
  angle: number,
  size: number,
): Similarity {
  const k = size / side;
  const a = k * Math.cos(angle);
  const b = -k * Math.sin(angle);
  return { a, b, tx: size / 2 - (a * cx - b * cy), ty: size / 2 - (b * cx + a * cy) };
}

/** From a detection: its box and the angle of the line from the image-left eye to the image-right eye. */
export function roiFromDetection(
  box: FaceBox,
  keypoints: readonly Point[],
  size: number,
): Similarity {
  const [e0, e1] = keypoints;
  const angle = e0 && e1 ? Math.atan2(e1[1] - e0[1], e1[0] - e0[0]) : 0;
  const side = Math.max(box.width, box.height) * ROI_SCALE;
  return roiTransform(box.x + box.width / 2, box.y + box.height / 2, side, angle, size);
}

/** From the previous frame's mesh (tracking): its extent in the face's own, level frame. */
export function roiFromMesh(points: readonly Point3[], size: number): Similarity {
  const r = points[MESH.rightEyeOuter];
  const l = points[MESH.leftEyeOuter];
  const angle = r && l ? Math.atan2(l[1] - r[1], l[0] - r[0]) : 0;
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  let minU = Infinity;
  let maxU = -Infinity;
  let minV = Infinity;
  let maxV = -Infinity;
  for (const [x, y] of points) {
    const u = c * x + s * y;
    const v = -s * x + c * y;
    minU = Math.min(minU, u);
    maxU = Math.max(maxU, u);
    minV = Math.min(minV, v);
    maxV = Math.max(maxV, v);
  }
  const cu = (minU + maxU) / 2;
  const cv = (minV + maxV) / 2;
  const side = Math.max(maxU - minU, maxV - minV) * ROI_SCALE;
  return roiTransform(c * cu - s * cv, s * cu + c * cv, side, angle, size);
}
