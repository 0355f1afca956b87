/**
 * When an unlock attempt gives up, and why. Pure: every time comes in as a `now` value (ms, any
 * monotonic clock), so the rules run the same in Node tests and in the app, where frames and a
 * timer both call `check`.
 *
 * FrameDecision (match.ts) decides over good frames only; frames that fail the quality gate do not
 * count toward its limit, so without a clock an attempt in poor conditions would wait forever.
 */

import type { QualityReason } from '../math/quality';

export interface AttemptLimits {
  /** No frame at all this long after the start (camera and detector still starting, or dead): stop. */
  startupMs: number;
  /**
   * No usable frame (one that passed the quality gate) for this long, since the first frame or the
   * last usable one, or no frame at all for this long since the last one: stop.
   */
  stallMs: number;
  /**
   * No verdict this long after the first frame: stop, whatever the frames were like, provided
   * at least `minFrames` frames were analysed by then (a slow machine still gets a fair look).
   */
  maxMs: number;
  /** Frames a slow machine is given before `maxMs` may end the attempt. */
  minFrames: number;
  /** The hard wall-time limit after the first frame, however few frames a slow machine saw. */
  hardMaxMs: number;
  /** Analysed frames without a verdict after which the attempt stops, however fast they came. */
  maxFrames: number;
}

/**
 * 4 s without a usable frame is long enough to sit down and face the camera, short enough that a
 * user does not wonder whether the app hung. 12 s overall leaves a slow CPU (wasm, ~0.1-0.3 s an
 * embedding) time for FrameDecision's 20 good frames. The clocks start with the first frame: the
 * camera and the detector can take several seconds to start, which is not the user's doing.
 */
export const ATTEMPT_LIMITS: AttemptLimits = {
  startupMs: 15_000,
  stallMs: 4_000,
  maxMs: 12_000,
  // 30 frames: ten runs of FrameDecision's three; a machine that cannot analyse 2.5 frames a
  // second gets up to 20 s, then stops anyway (a phone throttled 6x analyses ~2 a second).
  minFrames: 30,
  hardMaxMs: 20_000,
  // 30 fps for 15 s: past this the camera is fast and the face has had every chance.
  maxFrames: 450,
};

/**
 * The latest moment, after the attempt starts, by which `check` has ended it: startup, then the
 * hard limit. Every state of an attempt ends within this (the screen shows and tests read it).
 */
export function attemptDeadlineMs(limits: AttemptLimits = ATTEMPT_LIMITS): number {
  return limits.startupMs + Math.max(limits.maxMs, limits.hardMaxMs);
}

/**
 * Why a frame was not usable, as the user sees it. `face_unclear`: the detector found something
 * face-like, but below the score the gate counts (assessQuality reports it as no_face).
 */
export type FrameProblem = QualityReason | 'face_unclear';

/**
 * Why an attempt stopped without a verdict. `not_live`: the face never blinked, moved its mouth or
 * turned in depth (a photo or a screen looks like that; liveness.ts).
 */
export type StopReason = FrameProblem | 'no_frames' | 'undecided' | 'not_live' | 'open_failed';

/** Most fundamental first: ties in frequency go to the earlier one. */
const PROBLEM_ORDER: readonly FrameProblem[] = [
  'no_face',
  'face_unclear',
  'multiple_faces',
  'too_small',
  'head_turned',
  'head_tilted',
  'blurry',
  'too_dark',
  'too_bright',
];

/**
 * The problem to report for one frame: the first (most fundamental) quality reason, with a
 * low-score detection reported as `face_unclear` rather than "no face" so the message agrees with
 * a box drawn around it. Null for a usable frame.
 */
export function frameProblem(
  reasons: readonly QualityReason[],
  detections: number,
): FrameProblem | null {
  const first = reasons[0];
  if (first === undefined) return null;
  if (first === 'no_face' && detections > 0) return 'face_unclear';
  return first;
}

export type AttemptEnd =
  | {
      kind: 'timed_out';
      /** The screen words it (ui/text/attempt.ts). */
      reason: StopReason;
      /** What ran out: the wait for a first frame, for a usable frame, or the attempt's time. */
      limit: 'startup' | 'stall' | 'max';
      elapsedMs: number;
    }
  | {
      /** Good frames were matched but none made a run: they did not match, so say so. */
      kind: 'rejected';
      limit: 'max';
      elapsedMs: number;
    };

/**
 * One attempt's clock and frame tally. Feed it every frame (`frame`) and every scored frame
 * (`scored`); `check` says whether the attempt should stop now.
 */
export class AttemptTracker {
  readonly startedAt: number;
  readonly limits: AttemptLimits;
  private firstFrameAt: number | null = null;
  private lastUsableAt: number;
  private lastFrameAt: number;
  private readonly counts = new Map<FrameProblem, number>();
  private usable = 0;
  private failed = 0;
  private frames = 0;
  private scores = 0;

  constructor(startedAt: number, limits: AttemptLimits = ATTEMPT_LIMITS) {
    const positive = [limits.startupMs, limits.stallMs, limits.maxMs, limits.hardMaxMs];
    if (!positive.every((v) => v > 0) || !(limits.maxFrames > 0) || !(limits.minFrames >= 0)) {
      throw new RangeError('attempt limits must be positive');
    }
    this.startedAt = startedAt;
    this.limits = limits;
    this.lastUsableAt = startedAt;
    this.lastFrameAt = startedAt;
  }

  /** One analysed frame: null when it passed the quality gate, else what held it. */
  frame(now: number, problem: FrameProblem | null): void {
    if (this.firstFrameAt === null) {
      this.firstFrameAt = now;
      this.lastUsableAt = now;
    }
    this.lastFrameAt = Math.max(this.lastFrameAt, now);
    this.frames++;
    if (problem === null) {
      this.usable++;
      this.lastUsableAt = Math.max(this.lastUsableAt, now);
    } else {
      this.failed++;
      this.counts.set(problem, (this.counts.get(problem) ?? 0) + 1);
    }
  }

  /** A usable frame's embedding was matched (FrameDecision saw its score). */
  scored(): void {
    this.scores++;
  }

  get usableFrames(): number {
    return this.usable;
  }

  get failedFrames(): number {
    return this.failed;
  }

  /** Every analysed frame, usable or not. */
  get analysedFrames(): number {
    return this.frames;
  }

  get scoredFrames(): number {
    return this.scores;
  }

  /** The most frequent problem over the attempt's frames (ties: the more fundamental), or null. */
  dominantProblem(): FrameProblem | null {
    let best: FrameProblem | null = null;
    let bestCount = 0;
    for (const problem of PROBLEM_ORDER) {
      const count = this.counts.get(problem) ?? 0;
      if (count > bestCount) {
        best = problem;
        bestCount = count;
      }
    }
    return best;
  }

  /** How often each problem was seen (for tests and diagnostics). */
  problemCounts(): ReadonlyMap<FrameProblem, number> {
    return this.counts;
  }

  /** Whether the attempt must stop at `now`, and how; null while it may go on. */
  check(now: number): AttemptEnd | null {
    const elapsedMs = now - this.startedAt;
    if (this.firstFrameAt === null) {
      return elapsedMs >= this.limits.startupMs
        ? this.timedOut('no_frames', 'startup', elapsedMs)
        : null;
    }
    // The camera went quiet: whatever earlier frames showed, that is not what holds it now.
    if (now - this.lastFrameAt >= this.limits.stallMs) {
      return this.timedOut('no_frames', 'stall', elapsedMs);
    }
    if (now - this.lastUsableAt >= this.limits.stallMs) {
      return this.timedOut(this.dominantProblem() ?? 'no_frames', 'stall', elapsedMs);
    }
    const sinceFirst = now - this.firstFrameAt;
    const outOfTime =
      sinceFirst >= this.limits.hardMaxMs ||
      (sinceFirst >= this.limits.maxMs && this.frames >= this.limits.minFrames);
    if (outOfTime || this.frames >= this.limits.maxFrames) {
      // Mostly usable frames, matched, and still no accept: the face did not match.
      if (this.scores > 0 && this.usable >= this.failed) {
        return { kind: 'rejected', limit: 'max', elapsedMs };
      }
      return this.timedOut(this.dominantProblem() ?? 'undecided', 'max', elapsedMs);
    }
    return null;
  }

  private timedOut(
    reason: StopReason,
    limit: 'startup' | 'stall' | 'max',
    elapsedMs: number,
  ): AttemptEnd {
    return { kind: 'timed_out', reason, limit, elapsedMs };
  }
}
