/**
 * Quality gate: decides whether a frame is good enough to enrol or verify, and
 * says why not in words the user can act on.
 */

import { ALIGN_TEMPLATE_112, type Point } from './align';
import { countConfidentFaces, pickPrimaryFace, type DetectedFace } from './face-select';
import { laplacianVariance, meanLuminance } from './image-stats';

export type QualityReason =
  | 'no_face'
  | 'multiple_faces'
  | 'too_small'
  | 'head_turned'
  | 'head_tilted'
  | 'blurry'
  | 'too_dark'
  | 'too_bright';

export const QUALITY_MESSAGES: Record<QualityReason, string> = {
  no_face: 'No face found. Look at the camera.',
  multiple_faces: 'More than one face in view. Only one person at a time.',
  too_small: 'Face too small. Move closer.',
  head_turned: 'Head turned too far. Face the camera.',
  head_tilted: 'Head tilted. Hold your head level.',
  blurry: 'Too blurry. Hold still.',
  too_dark: 'Too dark. Add light in front of you.',
  too_bright: 'Too bright. Avoid direct light behind or on you.',
};

export interface HeadPose {
  /** Degrees; angle of the eye line from horizontal, positive when the image-right eye is lower. */
  roll: number;
  /** Nose offset along the eye line from the eye midpoint, over interocular distance; ~0 frontal, sign = direction in the image. */
  yaw: number;
  /** (eyes→nose − nose→mouth) / (eyes→mouth) across the eye line, minus the template's value; ~0 frontal, > 0 head down. */
  pitch: number;
  /** Pixels between the eye keypoints. */
  interocular: number;
}

interface RawPose extends HeadPose {
  rawPitch: number;
}

/**
 * Pose proxies from the 2D keypoints 0..3 only. Offsets are measured in the
 * face's own frame (rotated by roll) so a tilted head does not read as turned.
 * Ears are not used: the far ear is hidden or guessed exactly when yaw is large.
 * Pitch uses the nose tip sticking out of the face plane: looking down moves its
 * projection towards the mouth, looking up towards the eyes.
 */
function rawPose(keypoints: readonly Point[]): RawPose {
  const [rightEye, leftEye, nose, mouth] = keypoints;
  if (!rightEye || !leftEye || !nose || !mouth) {
    throw new RangeError(`head pose needs 4 keypoints, got ${keypoints.length}`);
  }
  const ex = leftEye[0] - rightEye[0];
  const ey = leftEye[1] - rightEye[1];
  const interocular = Math.hypot(ex, ey);
  const roll = (Math.atan2(ey, ex) * 180) / Math.PI;
  if (!(interocular > 0)) {
    return { roll, yaw: NaN, pitch: NaN, rawPitch: NaN, interocular };
  }
  // u along the eye line, v perpendicular to it, pointing down the face.
  const ux = ex / interocular;
  const uy = ey / interocular;
  const vx = -uy;
  const vy = ux;
  const mx = (rightEye[0] + leftEye[0]) / 2;
  const my = (rightEye[1] + leftEye[1]) / 2;
  const yaw = ((nose[0] - mx) * ux + (nose[1] - my) * uy) / interocular;
  const eyesToNose = (nose[0] - mx) * vx + (nose[1] - my) * vy;
  const eyesToMouth = (mouth[0] - mx) * vx + (mouth[1] - my) * vy;
  const rawPitch = eyesToMouth > 0 ? (eyesToNose - (eyesToMouth - eyesToNose)) / eyesToMouth : NaN;
  return { roll, yaw, pitch: rawPitch, rawPitch, interocular };
}

// The canonical template is the "frontal" reference, so its pitch reads 0.
const TEMPLATE_PITCH = rawPose(ALIGN_TEMPLATE_112).rawPitch;

export function headPose(keypoints: readonly Point[]): HeadPose {
  const { roll, yaw, rawPitch, interocular } = rawPose(keypoints);
  return { roll, yaw, pitch: rawPitch - TEMPLATE_PITCH, interocular };
}

export interface QualityThresholds {
  /** Detections below this score are ignored. */
  minScore: number;
  /** Primary face box width, source pixels. */
  minFaceWidthPx: number;
  /** Optional extra size check on the eye distance, source pixels. */
  minInterocularPx?: number;
  maxAbsRollDeg: number;
  maxAbsYaw: number;
  maxAbsPitch: number;
  /** Laplacian variance of the ALIGNED_SIZE grayscale crop. */
  minLaplacianVar: number;
  /** Mean luma of the aligned crop, 0..255. */
  minLuminance: number;
  maxLuminance: number;
  /** A second confident face this wide relative to the primary counts as another person. */
  secondFaceMinWidthFraction: number;
}

export const DEFAULT_QUALITY: QualityThresholds = {
  minScore: 0.5,
  // Upscaling a smaller face to 112 px adds no detail for the embedder.
  minFaceWidthPx: 80,
  maxAbsRollDeg: 20,
  // Both ≈ 35-40° of rotation for typical nose depth; past that ArcFace accuracy drops.
  maxAbsYaw: 0.35,
  maxAbsPitch: 0.35,
  // Conservative placeholder: to be calibrated on real LFW aligned crops.
  minLaplacianVar: 15,
  minLuminance: 40,
  maxLuminance: 215,
  secondFaceMinWidthFraction: 0.4,
};

export interface QualityInput {
  faces: DetectedFace[];
  /** Aligned grayscale crop of the primary face; null skips the image checks. */
  crop: { gray: Float32Array; width: number; height: number } | null;
}

export interface QualityMetrics {
  /** Confident faces counted towards multiple_faces. */
  faces: number;
  faceWidth?: number;
  roll?: number;
  yaw?: number;
  pitch?: number;
  sharpness?: number;
  luminance?: number;
}

export interface QualityResult {
  ok: boolean;
  reasons: QualityReason[];
  primary: DetectedFace | null;
  metrics: QualityMetrics;
}

function exceeds(value: number, maxAbs: number): boolean {
  // NaN (undefined pose) fails the check rather than slipping through.
  return !(Math.abs(value) <= maxAbs);
}

/**
 * Reasons come in a fixed order, most fundamental first, so the UI can show the
 * first one. A low-score detection counts as no face: it is not reliable enough
 * to enrol or verify against.
 */
export function assessQuality(input: QualityInput, t = DEFAULT_QUALITY): QualityResult {
  // Filtering first disables pickPrimaryFace's low-score fallback.
  const confident = input.faces.filter((f) => f.score >= t.minScore);
  const primary = pickPrimaryFace(confident, t.minScore);
  if (primary === null) {
    return { ok: false, reasons: ['no_face'], primary: null, metrics: { faces: 0 } };
  }

  const reasons: QualityReason[] = [];
  const faceCount = countConfidentFaces(input.faces, t.minScore, t.secondFaceMinWidthFraction);
  const metrics: QualityMetrics = { faces: faceCount, faceWidth: primary.box.width };
  if (faceCount > 1) reasons.push('multiple_faces');

  // Without the 4 alignment keypoints there is no pose to judge (and no crop either).
  const pose = primary.keypoints.length >= 4 ? headPose(primary.keypoints) : null;
  const tooNarrow = primary.box.width < t.minFaceWidthPx;
  const eyesTooClose =
    t.minInterocularPx !== undefined && pose !== null && pose.interocular < t.minInterocularPx;
  if (tooNarrow || eyesTooClose) reasons.push('too_small');

  if (pose !== null) {
    metrics.roll = pose.roll;
    metrics.yaw = pose.yaw;
    metrics.pitch = pose.pitch;
    if (exceeds(pose.yaw, t.maxAbsYaw) || exceeds(pose.pitch, t.maxAbsPitch)) {
      reasons.push('head_turned');
    }
    if (exceeds(pose.roll, t.maxAbsRollDeg)) reasons.push('head_tilted');
  }

  if (input.crop !== null) {
    const { gray, width, height } = input.crop;
    metrics.sharpness = laplacianVariance(gray, width, height);
    metrics.luminance = meanLuminance(gray);
    if (metrics.sharpness < t.minLaplacianVar) reasons.push('blurry');
    if (metrics.luminance < t.minLuminance) reasons.push('too_dark');
    if (metrics.luminance > t.maxLuminance) reasons.push('too_bright');
  }

  return { ok: reasons.length === 0, reasons, primary, metrics };
}
