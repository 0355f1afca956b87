/**
 * Scores liveness attempts with the app's own LivenessCheck: attacks are whole presentations,
 * genuine attempts are windows cut from the real videos.
 */
import {
  LivenessCheck,
  type LivenessEvidence,
  type LivenessRules,
  type MeshPoints,
} from '../../src/lib/decisions/liveness.ts';
import type { MeshFrame, Sequence } from './liveness-set.ts';

export interface AttemptResult {
  kind: Sequence['kind'];
  label: string;
  /** Seconds into the video where the attempt started (genuine). */
  start: number;
  live: boolean;
  /** From the attempt's first frame to the frame that showed it live, ms. */
  liveMs: number | null;
  cue: string | null;
  evidence: LivenessEvidence;
}

/** As the app: a frame the quality gate refused is no face to the liveness check. */
function asPoints(frame: MeshFrame): MeshPoints | null {
  return frame.quality.length > 0 ? null : frame.points;
}

export function runAttempt(
  frames: readonly MeshFrame[],
  rules: LivenessRules,
  meta: { kind: Sequence['kind']; label: string; start: number },
): AttemptResult {
  const check = new LivenessCheck(rules);
  const t0 = frames[0]?.t ?? 0;
  for (const frame of frames) {
    const t = (frame.t - t0) * 1000;
    if (check.push(t, asPoints(frame))) break;
  }
  return {
    ...meta,
    live: check.live,
    liveMs: check.liveAt,
    cue: check.liveBy,
    evidence: check.evidence,
  };
}

/**
 * Genuine attempts: windows of `seconds` cut from each video every `step` seconds (a video shorter
 * than one window is one attempt, as long as it is).
 */
export function genuineAttempts(
  sequence: Sequence,
  rules: LivenessRules,
  seconds: number,
  step: number,
): AttemptResult[] {
  const frames = sequence.frames;
  const duration = frames.length > 0 ? frames[frames.length - 1]!.t : 0;
  const out: AttemptResult[] = [];
  for (let start = 0; start === 0 || start + seconds <= duration + 1e-9; start += step) {
    const window = frames.filter((f) => f.t >= start - 1e-9 && f.t < start + seconds - 1e-9);
    out.push(runAttempt(window, rules, { kind: 'genuine', label: sequence.label, start }));
  }
  return out;
}
