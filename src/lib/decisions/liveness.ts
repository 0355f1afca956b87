/**
 * Is the face in front of the camera alive? Decided from the face-mesh points of the frames of one
 * attempt, with no model of its own:
 *
 * - a picture, however it is held, moved, turned or shown on a screen, is one plane: its points
 *   move by one homography from frame to frame and its expression never changes;
 * - a live face blinks (both eyes), moves its lips, and when it turns its nose moves against its
 *   cheeks (parallax no homography explains).
 *
 * Each cue must go out and come back within the window (an excursion: eyes close then open; lips
 * part then close, or the reverse; the head turns then returns), so a single cut from one photo to
 * another of the same person (eyes open to shut, straight to turned) never shows one. The landmark
 * model's own shake, which grows when a picture is moved, turned in plane or scaled, is kept out by
 * reading blinks and lips only while the face is steady in the picture plane, and parallax only
 * while it is not spinning or zooming. The thresholds sit above everything the attack set of
 * scripts/eval-liveness.ts produced (docs/SECURITY.md). Pure: no DOM, no tfjs.
 */
import type { Point } from '../math/align';
import type { Point3 } from '../math/face-mesh';
import { fitHomography, homographyResidual } from '../math/homography';
import { LID_PAIRS, LIP_PAIRS, MOUTH_CORNERS, RIGID_POINTS } from './liveness-points';

/** Mesh points by mesh index (the app's 468-point array, or a sparse map in the evaluation). */
export type MeshPoints = { readonly [index: number]: Point3 | undefined };

/** How fast the face may move in the picture plane while a cue is read, per second. */
export interface SteadyLimits {
  /** In-plane rotation of the eye line, degrees. */
  degPerS: number;
  /** Change of the eye distance, as a log ratio. */
  scalePerS: number;
  /** Movement of the eyes' midpoint, in eye distances. */
  shiftPerS: number;
}

export interface LivenessRules {
  /** Each eye closes by this fraction of its open height, and reopens as far (a blink). */
  blink: number;
  /** The inner lips' gap changes by this much, in eye-to-mouth distances, and changes back. */
  mouth: number;
  /** Rigid points stray from the best homography by this much (RMS, in eye distances), and back. */
  parallax: number;
  /** Frames older than this are forgotten (ms): a cue is one movement, not a slow drift. */
  windowMs: number;
  /** No usable face for this long (ms), or the face jumping, starts over: no cue spans a swap. */
  gapMs: number;
  /** The face's centre moving this far between two frames (in eye distances) is a jump. */
  jump: number;
  /** The eye distance changing by more than this factor between two frames is a jump too. */
  scaleJump: number;
  /**
   * Rigid points of two frames at most CUT_WITHIN_MS apart straying from one homography by more
   * than this (eye distances) is a cut, not motion: a real head at the camera's rate moves
   * through in-between poses, a slideshow swaps one picture for another at once.
   */
  cut: number;
  /**
   * A picture swapped for another of the same face: between two frames at most CUT_WITHIN_MS
   * apart both eyes and the lips jump by `share` of what a blink and a lip movement need, while
   * the rigid points stray from one homography by more than `rigid` (eye distances, a few times
   * the landmarks' frame-to-frame shake). A live face's blink moves the lids, a word the lips; a
   * slideshow changes the whole face at once. It starts the evidence over, as a cut does.
   */
  swap: { share: number; rigid: number };
  /**
   * The lids close and open again within this long (ms), plus the time between two frames on
   * either side (the last open frame before and the first after): a blink takes 100-400 ms; eyes
   * that narrow over seconds (a picture tilted, the tracker's drift) or a shut picture held in a
   * slideshow are not one. A slow machine (fewer frames a second) sees the same blink from open
   * frames further apart.
   */
  blinkMs: number;
  /**
   * The lips' largest change between two frames must stay under this share of their whole range:
   * lips that part or close pass through in-between openings at the camera's rate, a picture
   * swapped for an open-mouthed one jumps the whole way at once.
   */
  lipStep: number;
  /** Blinks and lips are read only while the face moves slower than this. */
  steady: SteadyLimits;
  /** Parallax is read only while the face spins and zooms slower than this (a turn slides it). */
  steadyParallax: SteadyLimits;
}

/**
 * Chosen on the evaluation set (docs/SECURITY.md): each threshold just above the largest value any
 * attack reached, the steadiness limits where moved pictures stopped passing while the videos'
 * blinks, talk and turns still counted.
 */
/** The longest blink (ms). */
const BLINK_MS = 400;

export const LIVENESS_RULES: LivenessRules = {
  blink: 0.33,
  mouth: 0.2,
  parallax: 0.125,
  windowMs: 3000,
  gapMs: 500,
  jump: 1.0,
  scaleJump: 1.3,
  cut: 0.15,
  swap: { share: 0.5, rigid: 0.03 },
  blinkMs: BLINK_MS,
  lipStep: 0.8,
  steady: { degPerS: 40, scalePerS: 0.5, shiftPerS: 2 },
  steadyParallax: { degPerS: 40, scalePerS: 1, shiftPerS: Infinity },
};

/**
 * At unlock the passive cues are blinks and lips only. Parallax without a request tells a real
 * head from a flat photo, but not from a recording of one on a screen (the recording shows a real
 * head turning): real phone and monitor replays passed by it. A turn counts only when it answers
 * the request (head-turn-challenge.ts), whose side a recording cannot know.
 */
export const UNLOCK_PASSIVE_RULES: LivenessRules = { ...LIVENESS_RULES, parallax: Infinity };

/**
 * An attempt with a face and no sign of life for this long ends (ms). The evaluation's attacks
 * last exactly this long, so their APCER is the app's (docs/SECURITY.md).
 */
export const LIVENESS_LIMIT_MS = 6000;
/** After this long without a sign of life (ms) the screen asks for a blink or a small turn. */
export const LIVENESS_PROMPT_MS = 1500;

/**
 * The shortest time over which the face's in-plane speed is measured (ms, a little under 100 so
 * that consecutive frames of a 10 fps camera, 100 ms apart give or take rounding, qualify).
 */
const MOTION_BASELINE_MS = 99;
/** Frames further apart than this (ms) are not compared for a cut (a slow camera's frames). */
export const CUT_WITHIN_MS = 150;

export type LivenessCue = 'blink' | 'mouth' | 'parallax';

/** The largest excursion of each cue seen so far in the current stretch (0 when none). */
export interface LivenessEvidence {
  blink: number;
  mouth: number;
  parallax: number;
}

/** What one frame's mesh says, in units that do not change with the face's size or position. */
export interface Measure {
  /** Each eye's lid gap (the subject's right, then left), in eye-to-mouth distances. */
  eyes: readonly [number, number];
  /** The inner lips' gap, in eye-to-mouth distances. */
  mouth: number;
  rigid: Point[];
  centre: Point;
  /** Eye distance, pixels. */
  scale: number;
  /** The eye line's angle, radians. */
  angle: number;
}

interface Sample extends Measure {
  t: number;
  /** Parallax from each earlier frame of the window to this one. */
  partners: { t: number; r: number }[];
}

function dist(a: Point3 | Point, b: Point3 | Point): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

export function measureFrame(points: MeshPoints): Measure | null {
  const get = (i: number) => points[i];
  const ro = get(33);
  const ri = get(133);
  const li = get(362);
  const lo = get(263);
  const mr = get(MOUTH_CORNERS[0]);
  const ml = get(MOUTH_CORNERS[1]);
  if (!ro || !ri || !li || !lo || !mr || !ml) return null;
  const eyeMid: Point = [(ro[0] + ri[0] + li[0] + lo[0]) / 4, (ro[1] + ri[1] + li[1] + lo[1]) / 4];
  const mouthMid: Point = [(mr[0] + ml[0]) / 2, (mr[1] + ml[1]) / 2];
  // Eye-to-mouth: along the same direction as the lid and lip gaps, so a picture tipped or turned
  // away shortens both alike and their ratio stays put.
  const vertical = dist(eyeMid, mouthMid);
  const dx = (li[0] + lo[0] - ro[0] - ri[0]) / 2;
  const dy = (li[1] + lo[1] - ro[1] - ri[1]) / 2;
  const eyeDistance = Math.hypot(dx, dy);
  if (!(vertical > 0) || !(eyeDistance > 0)) return null;
  const gap = (pairs: readonly (readonly [number, number])[]) => {
    let sum = 0;
    for (const [u, l] of pairs) {
      const a = get(u);
      const b = get(l);
      if (!a || !b) return null;
      sum += dist(a, b);
    }
    return sum / pairs.length / vertical;
  };
  const right = gap(LID_PAIRS.slice(0, 3));
  const left = gap(LID_PAIRS.slice(3));
  const mouth = gap(LIP_PAIRS);
  if (right === null || left === null || mouth === null) return null;
  const rigid: Point[] = [];
  for (const i of RIGID_POINTS) {
    const p = get(i);
    if (!p) return null;
    rigid.push([p[0], p[1]]);
  }
  return {
    eyes: [right, left],
    mouth,
    rigid,
    centre: eyeMid,
    scale: eyeDistance,
    angle: Math.atan2(dy, dx),
  };
}

/** How far the rigid points of `b` stray from the homography that best maps `a` onto them. */
export function parallaxBetween(a: Measure, b: Measure): number {
  const h = fitHomography(a.rigid, b.rigid);
  return h ? homographyResidual(h, a.rigid, b.rigid) / b.scale : 0;
}

/** Whether the face moved faster than `limits` between two frames `dt` seconds apart. */
function moving(a: Measure, b: Measure, dt: number, limits: SteadyLimits): boolean {
  let turn = Math.abs(b.angle - a.angle);
  if (turn > Math.PI) turn = 2 * Math.PI - turn;
  return (
    (turn * 180) / Math.PI / dt > limits.degPerS ||
    Math.abs(Math.log(b.scale / a.scale)) / dt > limits.scalePerS ||
    dist(a.centre, b.centre) / b.scale / dt > limits.shiftPerS
  );
}

/**
 * Another picture between two frames at most CUT_WITHIN_MS apart: a cut to another face, or a
 * swap to another picture of the same one (LivenessRules `cut` and `swap`).
 */
export function pictureSwapped(a: Measure, b: Measure, rules: LivenessRules): boolean {
  const rigid = parallaxBetween(a, b);
  if (rigid > rules.cut) return true;
  const { blink, mouth, swap } = rules;
  if (rigid <= swap.rigid || Math.abs(a.mouth - b.mouth) < swap.share * mouth) return false;
  return [0, 1].every((k) => {
    const [x, y] = [a.eyes[k as 0 | 1], b.eyes[k as 0 | 1]];
    return Math.abs(x - y) >= swap.share * blink * Math.max(x, y);
  });
}

/**
 * Feeds on the frames of one attempt (push) and says when the face has shown itself alive. Once
 * live, it stays live until reset() or until the face is lost or jumps (a new stretch begins).
 */
export class LivenessCheck {
  private samples: Sample[] = [];
  private lastFaceAt: number | null = null;
  /** Since when (ms) the face has been steady enough for blinks and lips, and for parallax. */
  private steadySince = -Infinity;
  private parallaxSince = -Infinity;
  private best: LivenessEvidence = { blink: 0, mouth: 0, parallax: 0 };
  /** Which cue made it live, and when (ms, the caller's clock); null while not live. */
  liveBy: LivenessCue | null = null;
  liveAt: number | null = null;
  /** When the current stretch of face began (ms). */
  stretchStart: number | null = null;
  /** Counts stretches: it changes whenever the evidence starts over (face lost, jumped, reset). */
  stretch = 0;

  constructor(private readonly rules: LivenessRules = LIVENESS_RULES) {}

  get live(): boolean {
    return this.liveBy !== null;
  }

  get evidence(): LivenessEvidence {
    return { ...this.best };
  }

  reset(): void {
    this.stretch++;
    this.samples = [];
    this.lastFaceAt = null;
    this.steadySince = -Infinity;
    this.parallaxSince = -Infinity;
    this.best = { blink: 0, mouth: 0, parallax: 0 };
    this.liveBy = null;
    this.liveAt = null;
    this.stretchStart = null;
  }

  /**
   * One frame at time `t` (ms): its mesh points, or null when there was no usable face (none, or
   * one the quality gate refused: liveness reads the frames a match could be made from).
   */
  push(t: number, points: MeshPoints | null): boolean {
    const measured = points ? measureFrame(points) : null;
    if (!measured) {
      if (this.lastFaceAt !== null && t - this.lastFaceAt > this.rules.gapMs) this.reset();
      return this.live;
    }
    const previous = this.samples[this.samples.length - 1];
    if (
      previous &&
      (t - previous.t > this.rules.gapMs ||
        (t - previous.t <= CUT_WITHIN_MS && pictureSwapped(previous, measured, this.rules)) ||
        dist(previous.centre, measured.centre) > this.rules.jump * measured.scale ||
        Math.max(previous.scale, measured.scale) >
          this.rules.scaleJump * Math.min(previous.scale, measured.scale))
    ) {
      this.reset();
    }
    this.lastFaceAt = t;
    this.stretchStart ??= t;
    // Speeds over at least MOTION_BASELINE_MS: between consecutive frames of a fast camera the
    // landmarks' shake, divided by a short time, would read as motion.
    const base = this.samples.findLast((s) => t - s.t >= MOTION_BASELINE_MS);
    if (base) {
      const dt = (t - base.t) / 1000;
      if (moving(base, measured, dt, this.rules.steady)) this.steadySince = t;
      if (moving(base, measured, dt, this.rules.steadyParallax)) this.parallaxSince = t;
    }
    this.samples = this.samples.filter((s) => t - s.t <= this.rules.windowMs);
    const sample: Sample = { ...measured, t, partners: [] };
    // Parallax excursion: some earlier frame j was far from a frame before it, and this frame is
    // as far from j (the head went and came back); only frames since the last spin or zoom.
    let parallax = 0;
    // Unlock reads no passive parallax (UNLOCK_PASSIVE_RULES): no homographies to fit.
    for (const s of Number.isFinite(this.rules.parallax) ? this.samples : []) {
      if (s.t < this.parallaxSince) continue;
      const r = parallaxBetween(s, sample);
      sample.partners.push({ t: s.t, r });
      let reached = 0;
      for (const p of s.partners) if (p.t >= this.parallaxSince) reached = Math.max(reached, p.r);
      parallax = Math.max(parallax, Math.min(reached, r));
    }
    this.samples.push(sample);
    const steady = this.samples.filter((s) => s.t >= this.steadySince);
    const eyes = [0, 1].map((k) => steady.map((s) => s.eyes[k as 0 | 1]));
    const lips = steady.map((s) => s.mouth);
    // A cue made of jumps alone (two pictures in turn) is no movement: see inBetween().
    const times = steady.map((s) => s.t);
    const blinkWithin = this.rules.blinkMs + 2 * medianStep(times);
    const blink =
      inBetween(eyes[0]!) && inBetween(eyes[1]!)
        ? Math.min(quickDip(eyes[0]!, times, blinkWithin), quickDip(eyes[1]!, times, blinkWithin))
        : 0;
    const mouth =
      inBetween(lips) && largestStep(lips) < this.rules.lipStep * spread(lips)
        ? excursion(lips, 'either', false)
        : 0;
    this.best = {
      blink: Math.max(this.best.blink, blink),
      mouth: Math.max(this.best.mouth, mouth),
      parallax: Math.max(this.best.parallax, parallax),
    };
    if (!this.live) {
      const cue: LivenessCue | null =
        blink >= this.rules.blink
          ? 'blink'
          : mouth >= this.rules.mouth
            ? 'mouth'
            : parallax >= this.rules.parallax
              ? 'parallax'
              : null;
      if (cue) {
        this.liveBy = cue;
        this.liveAt = t;
      }
    }
    return this.live;
  }
}

/**
 * Whether some value lies well between the series' extremes (strictly inside their middle half).
 * A lid or lip that really moves passes through in-between states at the camera's rate; a
 * slideshow of an open and a shut picture shows two levels and nothing between.
 */
export function inBetween(values: readonly number[]): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const a = lo + (hi - lo) / 4;
  const b = hi - (hi - lo) / 4;
  return values.some((v) => v > a && v < b);
}

/** The median time between consecutive frames (ms; 0 with fewer than two). */
function medianStep(times: readonly number[]): number {
  if (times.length < 2) return 0;
  const steps = times.slice(1).map((t, i) => t - times[i]!);
  steps.sort((a, b) => a - b);
  return steps[steps.length >> 1]!;
}

function spread(values: readonly number[]): number {
  return Math.max(...values) - Math.min(...values);
}

function largestStep(values: readonly number[]): number {
  let step = 0;
  for (let i = 1; i < values.length; i++) {
    step = Math.max(step, Math.abs(values[i]! - values[i - 1]!));
  }
  return step;
}

/**
 * The deepest quick dip of a series ending at its last value v_k, relative to the larger of the
 * values on either side: max over i < j < k of min(v_i - v_j, v_k - v_j) / max(v_i, v_k), with
 * t_k - t_i at most `withinMs` (a blink's lids go down and up again in a few hundred ms).
 */
export function quickDip(
  values: readonly number[],
  times: readonly number[],
  withinMs: number,
): number {
  const k = values.length - 1;
  if (k < 2) return 0;
  const last = values[k]!;
  let best = 0;
  // i runs back from k; the lowest value between i and k runs with it.
  let lowest = values[k - 1]!;
  for (let i = k - 2; i >= 0 && times[k]! - times[i]! <= withinMs; i--) {
    const vi = values[i]!;
    if (lowest < vi && lowest < last) {
      best = Math.max(best, Math.min(vi - lowest, last - lowest) / Math.max(vi, last));
    }
    lowest = Math.min(lowest, vi);
  }
  return best;
}

/**
 * The largest out-and-back movement of a series ending at its last value v_k: max over
 * i < j < k of min(|v_j - v_i|, |v_j - v_k|), v_j the turning point (below both for 'down').
 * `relative` divides by the larger of v_i and v_k (a blink is a fraction of the open eye).
 */
export function excursion(
  values: readonly number[],
  direction: 'down' | 'either',
  relative: boolean,
): number {
  const n = values.length;
  if (n < 3) return 0;
  const last = values[n - 1]!;
  let best = 0;
  // The turning point j runs forward; the extremes of the values before it run with it.
  let maxBefore = values[0]!;
  let minBefore = values[0]!;
  for (let j = 1; j < n - 1; j++) {
    const vj = values[j]!;
    const down = Math.min(maxBefore - vj, last - vj) / (relative ? Math.max(maxBefore, last) : 1);
    best = Math.max(best, down);
    if (direction === 'either') {
      const up = Math.min(vj - minBefore, vj - last) / (relative ? Math.max(vj, 1e-9) : 1);
      best = Math.max(best, up);
    }
    maxBefore = Math.max(maxBefore, vj);
    minBefore = Math.min(minBefore, vj);
  }
  return best;
}
