/**
 * Is the face in front of the camera alive? Decided from the face-mesh points of the frames of one
 * attempt, with no model of its own:
 *
 * - a picture, however it is held, moved, turned or shown on a screen, is one plane: its points
 *   move by one homography from frame to frame and its expression never changes;
 * - a live face blinks, moves its mouth, and when it turns its nose moves against its cheeks
 *   (parallax no homography explains).
 *
 * Each cue must go out and come back within the window (an excursion: eyes close then open; mouth
 * opens then closes, or the reverse; the head turns then returns), so a single cut from one photo
 * to another of the same person (eyes open to closed, straight to turned) never shows one. The
 * thresholds sit above everything the attack set of scripts/eval-liveness.ts produced
 * (docs/SECURITY.md). Pure: no DOM, no tfjs.
 */
import type { Point } from '../math/align';
import type { Point3 } from '../math/face-mesh';
import { fitHomography, homographyResidual } from '../math/homography';
import { LID_PAIRS, LIP_PAIRS, MOUTH_CORNERS, RIGID_POINTS } from './liveness-points';

/** Mesh points by mesh index (the app's 468-point array, or a sparse map in the evaluation). */
export type MeshPoints = { readonly [index: number]: Point3 | undefined };

export interface LivenessRules {
  /** Eyes close by this fraction of their open height, and reopen as far (a blink). */
  blink: number;
  /** The inner lips' gap changes by this much, in eye-to-mouth distances, and changes back. */
  mouth: number;
  /** Rigid points stray from the best homography by this much (RMS, in eye distances), and back. */
  parallax: number;
  /** Frames older than this are forgotten (ms): a cue is one movement, not a slow drift. */
  windowMs: number;
  /** No face for this long (ms), or the face jumping, starts over: evidence never spans a swap. */
  gapMs: number;
  /** The face's centre moving this far between two frames (in eye distances) is a jump. */
  jump: number;
}

export const LIVENESS_RULES: LivenessRules = {
  blink: 0.35,
  mouth: 0.1,
  parallax: 0.12,
  windowMs: 3000,
  gapMs: 500,
  jump: 1.0,
};

/**
 * An attempt with a face and no sign of life for this long ends (ms). The evaluation's attacks
 * last exactly this long, so their APCER is the app's (docs/SECURITY.md).
 */
export const LIVENESS_LIMIT_MS = 6000;
/** After this long without a sign of life (ms) the screen asks for a blink or a small turn. */
export const LIVENESS_PROMPT_MS = 1500;

export type LivenessCue = 'blink' | 'mouth' | 'parallax';

/** The largest excursion of each cue seen so far in the current stretch (0 when none). */
export interface LivenessEvidence {
  blink: number;
  mouth: number;
  parallax: number;
}

interface Sample {
  t: number;
  eye: number;
  mouth: number;
  rigid: Point[];
  centre: Point;
  scale: number;
  /** The largest parallax from any earlier frame of the window to this one. */
  reached: number;
}

function dist(a: Point3 | Point, b: Point3 | Point): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

/** What one frame's mesh says, in units that do not change with the face's size or position. */
export function measureFrame(points: MeshPoints): Omit<Sample, 't' | 'reached'> | null {
  const get = (i: number) => points[i];
  const eyeR = [get(33), get(133)];
  const eyeL = [get(362), get(263)];
  const corners = MOUTH_CORNERS.map(get);
  if ([...eyeR, ...eyeL, ...corners].some((p) => !p)) return null;
  const [ro, ri] = eyeR as [Point3, Point3];
  const [li, lo] = eyeL as [Point3, Point3];
  const [mr, ml] = corners as [Point3, Point3];
  const eyeMid: Point = [(ro[0] + ri[0] + li[0] + lo[0]) / 4, (ro[1] + ri[1] + li[1] + lo[1]) / 4];
  const mouthMid: Point = [(mr[0] + ml[0]) / 2, (mr[1] + ml[1]) / 2];
  // Eye-to-mouth: along the same direction as the lid and lip gaps, so a picture tilted or turned
  // away changes both alike and their ratio stays put.
  const vertical = dist(eyeMid, mouthMid);
  const eyeDistance = Math.hypot(
    (ro[0] + ri[0] - li[0] - lo[0]) / 2,
    (ro[1] + ri[1] - li[1] - lo[1]) / 2,
  );
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
  const eye = gap(LID_PAIRS);
  const mouth = gap(LIP_PAIRS);
  if (eye === null || mouth === null) return null;
  const rigid: Point[] = [];
  for (const i of RIGID_POINTS) {
    const p = get(i);
    if (!p) return null;
    rigid.push([p[0], p[1]]);
  }
  return { eye, mouth, rigid, centre: eyeMid, scale: eyeDistance };
}

function parallaxBetween(a: Sample, b: Sample): number {
  const h = fitHomography(a.rigid, b.rigid);
  return h ? homographyResidual(h, a.rigid, b.rigid) / b.scale : 0;
}

/**
 * Feeds on the frames of one attempt (push) and says when the face has shown itself alive. Once
 * live, it stays live until reset() or until the face is lost or jumps (a new stretch begins).
 */
export class LivenessCheck {
  private samples: Sample[] = [];
  private lastFaceAt: number | null = null;
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
    this.best = { blink: 0, mouth: 0, parallax: 0 };
    this.liveBy = null;
    this.liveAt = null;
    this.stretchStart = null;
  }

  /** One frame at time `t` (ms): its mesh points, or null when no face was found. */
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
        dist(previous.centre, measured.centre) > this.rules.jump * measured.scale)
    ) {
      this.reset();
    }
    this.lastFaceAt = t;
    this.stretchStart ??= t;
    this.samples = this.samples.filter((s) => t - s.t <= this.rules.windowMs);
    const sample: Sample = { ...measured, t, reached: 0 };
    // Parallax excursion: some earlier frame j was far from a frame before it, and this frame is
    // as far from j (the head went and came back).
    let parallax = 0;
    for (const s of this.samples) {
      const r = parallaxBetween(s, sample);
      sample.reached = Math.max(sample.reached, r);
      parallax = Math.max(parallax, Math.min(s.reached, r));
    }
    this.samples.push(sample);
    const blink = excursion(
      this.samples.map((s) => s.eye),
      'down',
      true,
    );
    const mouth = excursion(
      this.samples.map((s) => s.mouth),
      'either',
      false,
    );
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
 * The largest out-and-back movement of a series ending at its last value: max over i < j <= k of
 * min(|v_j - v_i|, |v_j - v_k|), with v_j the turning point (below both for 'down'). `relative`
 * divides by the larger of v_i and v_k (a blink is a fraction of the open eye).
 */
export function excursion(
  values: readonly number[],
  direction: 'down' | 'either',
  relative: boolean,
): number {
  const n = values.length;
  if (n < 3) return 0;
  const k = n - 1;
  const last = values[k]!;
  let best = 0;
  // Walk the turning point j back from k-1; keep the extreme v_i seen before j.
  for (let j = 1; j < k; j++) {
    const vj = values[j]!;
    let maxBefore = -Infinity;
    let minBefore = Infinity;
    for (let i = 0; i < j; i++) {
      maxBefore = Math.max(maxBefore, values[i]!);
      minBefore = Math.min(minBefore, values[i]!);
    }
    const down = Math.min(maxBefore - vj, last - vj) / (relative ? Math.max(maxBefore, last) : 1);
    best = Math.max(best, down);
    if (direction === 'either') {
      const up = Math.min(vj - minBefore, vj - last) / (relative ? Math.max(vj, 1e-9) : 1);
      best = Math.max(best, up);
    }
  }
  return best;
}
