/**
 * Multi-photo templates weighted by how usable each photo is (issue #26, item 5). The app's
 * template() is the plain mean of the enrolment embeddings: a profile view or a tiny blurred face
 * pulls it as much as a frontal one, although its embedding is far noisier. Here each sample is
 * weighted by its pose (frontal counts most) and face size, from what the front end measured.
 */

import { normalize } from '../../src/lib/math/match.ts';

export interface SampleInfo {
  /** Head pose in degrees from the face mesh, null when unknown. */
  pose: { yaw: number; pitch: number } | null;
  /** Side of the detected face box in source pixels, null when unknown. */
  faceSide: number | null;
}

/** Degrees of yaw/pitch at which a sample's pose weight falls to e^-1/2 (about 0.61). */
export const POSE_SIGMA_DEG = 25;
/** A face this wide or wider carries full detail for a 112 px crop; smaller ones weigh less. */
export const FULL_DETAIL_PX = 112;

/** Weight in (0, 1]: Gaussian in the pose angle times the face-size share, floored at 0.05. */
export function sampleWeight(info: SampleInfo): number {
  let w = 1;
  if (info.pose) {
    const a2 = info.pose.yaw * info.pose.yaw + info.pose.pitch * info.pose.pitch;
    w *= Math.exp(-a2 / (2 * POSE_SIGMA_DEG * POSE_SIGMA_DEG));
  }
  if (info.faceSide !== null) w *= Math.min(1, Math.max(0, info.faceSide) / FULL_DETAIL_PX);
  // Never zero: a template of only poor photos is still that person's.
  return Math.max(0.05, w);
}

/** The L2-normalised weighted mean of unit embeddings (weights need not sum to 1). */
export function weightedTemplate(
  samples: readonly Float32Array[],
  weights: readonly number[],
): Float32Array {
  const first = samples[0];
  if (first === undefined) throw new Error('a template needs at least one sample');
  if (weights.length !== samples.length) throw new Error('one weight per sample');
  const sum = new Float64Array(first.length);
  samples.forEach((s, k) => {
    const w = weights[k] as number;
    for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) + w * (s[i] as number);
  });
  return normalize(Float32Array.from(sum));
}

/** The app's enrolment pose limits (quality.ts DEFAULT_QUALITY): beyond them a frame is refused. */
export const GATE_YAW_DEG = 35;
export const GATE_PITCH_DEG = 30;

/**
 * 1 for a sample the app's quality gate would take (pose within its limits, or unknown), 0 for
 * one it would refuse; all ones when it would refuse every sample (a template needs one).
 */
export function gateWeights(infos: readonly SampleInfo[]): number[] {
  const pass = infos.map((i) =>
    !i.pose || (Math.abs(i.pose.yaw) <= GATE_YAW_DEG && Math.abs(i.pose.pitch) <= GATE_PITCH_DEG)
      ? 1
      : 0,
  );
  return pass.some((w) => w > 0) ? pass : pass.map(() => 1);
}
