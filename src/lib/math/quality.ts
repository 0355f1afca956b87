/**
 * Quality gate: decides whether a frame is good enough to enrol or verify, and
 * says why not as reasons the screens word for the user (ui/text/quality.ts).
 */

import type { FaceMesh } from './face-mesh';
import { countConfidentFaces, pickPrimaryFace, type DetectedFace } from './face-select';
import { estimateHeadPose, keypointPoseRatios, type HeadPose } from './head-pose';
import { laplacianVariance, meanLuminance } from './image-stats';

export type { HeadPose } from './head-pose';

export type QualityReason =
  | 'no_face'
  | 'multiple_faces'
  | 'too_small'
  | 'head_turned'
  | 'head_tilted'
  | 'too_dark'
  | 'too_bright'
  | 'blurry';

export interface QualityThresholds {
  /** Detections below this score are ignored. */
  minScore: number;
  /** Primary face box width, source pixels. */
  minFaceWidthPx: number;
  /** Optional extra size check on the eye distance, source pixels. */
  minInterocularPx?: number;
  /** Pose limits in degrees (head-pose.ts: yaw, pitch, roll). */
  maxAbsRollDeg: number;
  maxAbsYawDeg: number;
  maxAbsPitchDeg: number;
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
  // Roll is undone by the alignment; past ~20° the detector and the mesh lose accuracy.
  maxAbsRollDeg: 20,
  // Past ~35° of yaw the far eye starts to hide behind the nose and face embeddings lose accuracy
  // fast; pitch hides the eyes (chin down) or foreshortens the face (chin up) sooner, and reads
  // noisier. Guided enrollment's widest views (enroll-guidance.ts) lie inside these limits, so
  // the gate passes every view it asks for and only ever says "turned too far" past them.
  maxAbsYawDeg: 35,
  maxAbsPitchDeg: 30,
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
  /**
   * The primary face's 468-point mesh: when present the pose comes from it, else from keypoints.
   * Null (as opposed to absent) means the landmark model ran and found no face in any detection:
   * then there is nothing to embed and the frame counts as no face.
   */
  mesh?: FaceMesh | null;
  /** The face the front end chose (confirmed by its mesh); absent: the largest confident box. */
  primary?: DetectedFace | null;
}

export interface QualityMetrics {
  /** Confident faces counted towards multiple_faces. */
  faces: number;
  faceWidth?: number;
  /** Degrees, as HeadPose. */
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
  /** The primary face's head pose (head-pose.ts), or null when there is nothing to measure. */
  pose: HeadPose | null;
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
  const chosen =
    input.primary === undefined ? pickPrimaryFace(confident, t.minScore) : input.primary;
  const primary = chosen !== null && chosen.score >= t.minScore ? chosen : null;
  if (primary === null || input.mesh === null) {
    return { ok: false, reasons: ['no_face'], primary: null, pose: null, metrics: { faces: 0 } };
  }

  const reasons: QualityReason[] = [];
  const faceCount = countConfidentFaces(input.faces, t.minScore, t.secondFaceMinWidthFraction);
  const metrics: QualityMetrics = { faces: faceCount, faceWidth: primary.box.width };
  if (faceCount > 1) reasons.push('multiple_faces');

  // The mesh's pose when there is a mesh, else the keypoints'; without either, nothing to judge.
  const pose = estimateHeadPose(primary.keypoints, input.mesh);
  const tooNarrow = primary.box.width < t.minFaceWidthPx;
  const eyesTooClose =
    t.minInterocularPx !== undefined &&
    primary.keypoints.length >= 4 &&
    keypointPoseRatios(primary.keypoints).interocular < t.minInterocularPx;
  if (tooNarrow || eyesTooClose) reasons.push('too_small');

  if (pose !== null) {
    metrics.roll = pose.roll;
    metrics.yaw = pose.yaw;
    metrics.pitch = pose.pitch;
    if (exceeds(pose.yaw, t.maxAbsYawDeg) || exceeds(pose.pitch, t.maxAbsPitchDeg)) {
      reasons.push('head_turned');
    }
    if (exceeds(pose.roll, t.maxAbsRollDeg)) reasons.push('head_tilted');
  }

  if (input.crop !== null) {
    const { gray, width, height } = input.crop;
    metrics.sharpness = laplacianVariance(gray, width, height);
    metrics.luminance = meanLuminance(gray);
    // Light first: a dark face also has little contrast, and "add light" is what fixes both.
    if (metrics.luminance < t.minLuminance) reasons.push('too_dark');
    if (metrics.luminance > t.maxLuminance) reasons.push('too_bright');
    if (metrics.sharpness < t.minLaplacianVar) reasons.push('blurry');
  }

  return { ok: reasons.length === 0, reasons, primary, pose, metrics };
}
