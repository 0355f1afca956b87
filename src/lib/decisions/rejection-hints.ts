/**
 * After a rejection, say what could be seen in the frames that were matched, instead of a generic
 * "try again in better light". Pure: it reads the quality metrics, the aligned 112x112 gray crop
 * (ALIGN_TEMPLATE_112 layout: eyes near (38, 52) and (74, 52)) and, where present, the face mesh.
 *
 * Each hint must be plainly there in most of the frames, so a well-lit frontal face gets no hint
 * about light or pose: it gets the neutral message instead. The thresholds are set well inside the
 * range of faces that pass the gate; they are heuristics, not calibrated on a dataset.
 */

import type { Point3 } from '../math/face-mesh';
import { MESH } from '../math/face-mesh';
import type { QualityMetrics } from '../math/quality';

export interface CropStats {
  /** Mean luma of the image-left and image-right halves of the face (cheeks, eyes, mouth), 0..255. */
  leftMean: number;
  rightMean: number;
  /** Mean and standard deviation of luma in the two eye boxes together. */
  eyeMean: number;
  eyeStd: number;
  /** The same below the eyes (cheeks and nose), the face's own reference for skin and texture. */
  refMean: number;
  refStd: number;
}

interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Regions in the 112x112 aligned crop; eyes of ALIGN_TEMPLATE_112 at (38.3, 51.7), (73.5, 51.5). */
const CROP_SIZE = 112;
const FACE_LEFT: Rect = { x0: 22, y0: 40, x1: 56, y1: 100 };
const FACE_RIGHT: Rect = { x0: 56, y0: 40, x1: 90, y1: 100 };
const EYE_RIGHT_OF_IMAGE: Rect = { x0: 27, y0: 45, x1: 50, y1: 58 };
const EYE_LEFT_OF_IMAGE: Rect = { x0: 62, y0: 45, x1: 85, y1: 58 };
const BELOW_EYES: Rect = { x0: 30, y0: 64, x1: 82, y1: 82 };

function regionSums(gray: Float32Array, width: number, rects: readonly Rect[]) {
  let n = 0;
  let sum = 0;
  let sq = 0;
  for (const r of rects) {
    for (let y = r.y0; y < r.y1; y++) {
      for (let x = r.x0; x < r.x1; x++) {
        const v = gray[y * width + x] as number;
        n++;
        sum += v;
        sq += v * v;
      }
    }
  }
  const mean = sum / n;
  return { mean, std: Math.sqrt(Math.max(0, sq / n - mean * mean)) };
}

/** Statistics of one aligned gray crop (112x112, the layout align.ts produces). */
export function cropStats(gray: Float32Array, width: number, height: number): CropStats {
  if (width !== CROP_SIZE || height !== CROP_SIZE || gray.length < width * height) {
    throw new RangeError(
      `crop stats need a ${CROP_SIZE}x${CROP_SIZE} crop, got ${width}x${height}`,
    );
  }
  const left = regionSums(gray, width, [FACE_LEFT]);
  const right = regionSums(gray, width, [FACE_RIGHT]);
  const eyes = regionSums(gray, width, [EYE_RIGHT_OF_IMAGE, EYE_LEFT_OF_IMAGE]);
  const ref = regionSums(gray, width, [BELOW_EYES]);
  return {
    leftMean: left.mean,
    rightMean: right.mean,
    eyeMean: eyes.mean,
    eyeStd: eyes.std,
    refMean: ref.mean,
    refStd: ref.std,
  };
}

function dist(a: Point3, b: Point3): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

/**
 * Eye aspect ratio from the mesh, both eyes averaged: lid gap over corner-to-corner width. Open
 * eyes read about 0.25-0.35, closed ones under 0.1. Null when the mesh lacks the points.
 */
export function eyeAspectRatio(points: readonly Point3[]): number | null {
  const p = (i: number) => points[i];
  const ro = p(MESH.rightEyeOuter);
  const ri = p(MESH.rightEyeInner);
  const ru = p(MESH.rightEyeUpper);
  const rl = p(MESH.rightEyeLower);
  const lo = p(MESH.leftEyeOuter);
  const li = p(MESH.leftEyeInner);
  const lu = p(MESH.leftEyeUpper);
  const ll = p(MESH.leftEyeLower);
  if (!ro || !ri || !ru || !rl || !lo || !li || !lu || !ll) return null;
  const rw = dist(ro, ri);
  const lw = dist(lo, li);
  if (!(rw > 0) || !(lw > 0)) return null;
  return (dist(ru, rl) / rw + dist(lu, ll) / lw) / 2;
}

/** What was measured on one frame that was matched. */
export interface FrameObservation {
  metrics: QualityMetrics;
  crop: CropStats | null;
  /** eyeAspectRatio of the face mesh, or null without one. */
  eyeAspect: number | null;
}

export type HintKind =
  'eyes_covered' | 'eyes_closed' | 'side_light' | 'pose' | 'dark' | 'bright' | 'blurry';

/** The screen words it (ui/text/rejection.ts). */
export interface RejectionHint {
  kind: HintKind;
  /** side_light only: the darker half of the face, as the camera picture shows it (not mirrored). */
  darkSide?: 'left' | 'right';
}

export interface HintThresholds {
  /** Darker face half below this fraction of the brighter half: strong side light. */
  sideLightRatio: number;
  /** Side light is only judged on frames this frontal (|yaw|, degrees): a turned head shows background. */
  sideLightMaxYawDeg: number;
  /** Eye boxes darker than this fraction of the cheeks: sunglasses or something dark over the eyes. */
  eyeDarkRatio: number;
  /** Eye boxes with less texture than this fraction of the cheeks' and below eyeFlatStd: nothing eye-like there. */
  eyeFlatRatio: number;
  eyeFlatStd: number;
  /** Mesh eye aspect ratio below this: eyes closed. */
  eyeClosedAspect: number;
  /** Degrees (QualityMetrics, head-pose.ts): inside the gate (35 / 30 / 20) but enough to lower the score. */
  poseYawDeg: number;
  posePitchDeg: number;
  poseRollDeg: number;
  /** Mean luma of the crop: dim or washed out although the gate (40..215) let it through. */
  darkLuminance: number;
  brightLuminance: number;
  /** Laplacian variance of the crop: soft although the gate (15) let it through. */
  blurrySharpness: number;
  /** A hint needs at least this share of the observed frames. */
  minShare: number;
}

export const DEFAULT_HINTS: HintThresholds = {
  sideLightRatio: 0.65,
  sideLightMaxYawDeg: 10,
  eyeDarkRatio: 0.5,
  eyeFlatRatio: 0.6,
  eyeFlatStd: 10,
  eyeClosedAspect: 0.12,
  poseYawDeg: 20,
  posePitchDeg: 18,
  poseRollDeg: 12,
  darkLuminance: 70,
  brightLuminance: 190,
  blurrySharpness: 30,
  minShare: 0.5,
};

/** Order of precedence when several are seen: what most changes a face's look first. */
const ORDER: readonly HintKind[] = [
  'eyes_covered',
  'eyes_closed',
  'side_light',
  'pose',
  'dark',
  'bright',
  'blurry',
];

function frameFlags(o: FrameObservation, t: HintThresholds): Set<HintKind> {
  const flags = new Set<HintKind>();
  const m = o.metrics;
  const c = o.crop;
  const yaw = m.yaw ?? 0;
  if (c) {
    if (c.refMean > 0 && c.eyeMean < t.eyeDarkRatio * c.refMean) flags.add('eyes_covered');
    else if (c.eyeStd < t.eyeFlatStd && c.eyeStd < t.eyeFlatRatio * c.refStd) {
      flags.add('eyes_covered');
    }
    const lo = Math.min(c.leftMean, c.rightMean);
    const hi = Math.max(c.leftMean, c.rightMean);
    if (hi > 0 && lo < t.sideLightRatio * hi && Math.abs(yaw) <= t.sideLightMaxYawDeg) {
      flags.add('side_light');
    }
  }
  if (o.eyeAspect !== null && o.eyeAspect < t.eyeClosedAspect) flags.add('eyes_closed');
  if (
    Math.abs(yaw) > t.poseYawDeg ||
    Math.abs(m.pitch ?? 0) > t.posePitchDeg ||
    Math.abs(m.roll ?? 0) > t.poseRollDeg
  ) {
    flags.add('pose');
  }
  if (m.luminance !== undefined) {
    if (m.luminance < t.darkLuminance) flags.add('dark');
    if (m.luminance > t.brightLuminance) flags.add('bright');
  }
  if (m.sharpness !== undefined && m.sharpness < t.blurrySharpness) flags.add('blurry');
  return flags;
}

/**
 * What stands out across the frames that were matched, most telling first; empty when nothing
 * does (then the screen says the neutral text, ui/text/rejection.ts).
 */
export function rejectionHints(
  frames: readonly FrameObservation[],
  t: HintThresholds = DEFAULT_HINTS,
): RejectionHint[] {
  if (frames.length === 0) return [];
  const counts = new Map<HintKind, number>();
  let darkerLeft = 0;
  let darkerRight = 0;
  for (const frame of frames) {
    const flags = frameFlags(frame, t);
    for (const kind of flags) counts.set(kind, (counts.get(kind) ?? 0) + 1);
    if (flags.has('side_light') && frame.crop) {
      if (frame.crop.leftMean < frame.crop.rightMean) darkerLeft++;
      else darkerRight++;
    }
  }
  const hints: RejectionHint[] = [];
  for (const kind of ORDER) {
    if ((counts.get(kind) ?? 0) < t.minShare * frames.length) continue;
    // Closed eyes seen by the mesh say more than the crop's "covered or closed".
    if (kind === 'eyes_covered' && (counts.get('eyes_closed') ?? 0) >= t.minShare * frames.length) {
      continue;
    }
    if (kind === 'side_light') {
      // The crop is not mirrored: its left is the left of the camera picture.
      hints.push({ kind, darkSide: darkerLeft >= darkerRight ? 'left' : 'right' });
    } else {
      hints.push({ kind });
    }
  }
  return hints;
}
