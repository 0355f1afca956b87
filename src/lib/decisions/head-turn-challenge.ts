/**
 * The requested head turn: the screen asks the person to turn their head to one side, drawn at
 * random per attempt, and back. It is passed only when
 *
 * - the head turns the asked way by at least `turnDeg` from where it was when asked, starting no
 *   sooner than a person can react, and never first the other way by `wrongWayDeg` (a recording
 *   cannot know the side ahead: it turns the right way by chance at best, and the wrong way fails);
 * - it passes through in-between poses on the way out and on the way back (a slideshow of a
 *   straight and a turned photo jumps, and a jump is not a turn);
 * - the rigid face points stray from one homography between the straight and the turned frame by
 *   at least `parallax` (a flat picture swung to fake the turn moves by one homography);
 * - no other picture came in between: a swap between two frames (eyes and lips jumping with the
 *   rigid points: liveness.ts pictureSwapped, SWAP_ONLY below) starts the turn over, as a
 *   slideshow of a straight and a turned photo, whose tracker settles through an in-between pose,
 *   would otherwise read as a turn.
 *
 * Pure: no DOM, no tfjs. Fed every analysed frame of the attempt, in time order.
 */
import {
  CUT_WITHIN_MS,
  LIVENESS_RULES,
  measureFrame,
  parallaxBetween,
  pictureSwapped,
  type Measure,
  type MeshPoints,
} from './liveness';

/** The person's own left or right (yaw > 0 is turned to the subject's left, head-pose.ts). */
export type TurnSide = 'left' | 'right';

export interface ChallengeRules {
  /** How far the head must turn the asked way, degrees of yaw from where it was when asked. */
  turnDeg: number;
  /** Back means within this of where it started, degrees. */
  backDeg: number;
  /** A turn this far the other way before the asked one fails the challenge, degrees. */
  wrongWayDeg: number;
  /**
   * Frames needed strictly between a quarter and three quarters of the whole turn (its peak), out
   * and back each.
   */
  between: number;
  /** Rigid points off one homography between the straight and the turned frame (eye distances). */
  parallax: number;
  /** A turn that starts sooner than this after the request is not an answer to it (ms). */
  reactionMs: number;
  /** No usable face for this long (ms) starts the turn over (the side stays). */
  gapMs: number;
}

/** Chosen across people: docs/SECURITY.md ("The requested head turn") says how. */
export const CHALLENGE_RULES: ChallengeRules = {
  turnDeg: 13,
  backDeg: 5,
  wrongWayDeg: 12,
  between: 1,
  parallax: 0.12,
  reactionMs: 150,
  gapMs: 500,
};

/**
 * A swapped picture (eyes and lips jumping with the rigid points) starts the turn over; the
 * liveness check's cut on rigid points alone does not apply here: the mesh of a head turned past
 * the quality gate's limit shakes by more than that between frames of a real turn.
 */
const SWAP_ONLY = { ...LIVENESS_RULES, cut: Infinity };

/**
 * Yaw is read as the median of this many frames: the pose from one frame's mesh jumps by several
 * degrees now and then (up to 12 measured on still faces), a turn lasts many frames.
 */
const SMOOTH_FRAMES = 3;

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Where the head rested before the turn: the frames from REST_FROM_MS to REST_UNTIL_MS before the
 * turn reached turnDeg (ms). A turn comes back to where the head rested, which pose noise and small
 * movements put a few degrees from the least-turned frame the turn is measured from (d12's rest
 * wobbles by +-3 degrees: back within 5 of its least-turned frame, she never was, docs/ENROLL.md).
 */
const REST_FROM_MS = 1000;
const REST_UNTIL_MS = 300;

/** A turn the other way counts once held this long (ms): a real one lasts far longer. */
const WRONG_WAY_HOLD_MS = 200;

/**
 * The person has at least this long from the request to answer it (ms): react, turn and come back,
 * on a machine that may be slow to show the request (the first attempt after a start warms up).
 */
export const TURN_ANSWER_MS = 4000;

/**
 * A try that went out and back flat renews the request this many times: the screen asks for a
 * bigger turn and the answer time starts again. A person whose first turn was small (d12's turns
 * read 0.107-0.143 against the 0.12 needed, docs/ENROLL.md) turns again; a flat picture gains
 * nothing, since every try within the attempt is read the same way (eval-liveness scores a whole
 * window of tries).
 */
export const TURN_RENEWALS = 1;

/** After this long with a usable face the request is shown (ms): long enough to know "straight". */
export const CHALLENGE_PROMPT_AFTER_MS = 300;

export type ChallengeState =
  | 'waiting'
  | 'out'
  | 'back'
  | 'passed'
  | 'wrong_way'
  /** Turned and back, but as a flat picture does (no parallax): it may try again. */
  | 'flat';

export interface HeadPose {
  yaw: number;
  pitch: number;
}

interface Mark {
  t: number;
  rel: number;
  measure: Measure;
}

export class HeadTurnChallenge {
  state: ChallengeState = 'waiting';
  /** When the turn was passed (ms, the caller's clock). */
  passedAt: number | null = null;
  /** Largest turn the asked way seen so far (degrees), and parallax of the last full turn. */
  bestTurn = 0;
  lastParallax = 0;
  /** How far the head is turned the asked way at the last frame (degrees; 0 before asked). */
  currentTurn = 0;
  /** Turns that went out and back but moved as a flat picture does. */
  flatTurns = 0;
  /** The largest parallax of any full turn (out and back, with in-between poses). */
  maxParallax = 0;
  /** Times the request was renewed after a flat try (at most TURN_RENEWALS). */
  renewals = 0;

  private askedAt: number | null = null;
  /** When the request was last renewed after a flat try (ms). */
  private renewedAt: number | null = null;
  /** Since when the head has been turned the other way by wrongWayDeg or more (ms). */
  private wrongSince: number | null = null;
  /** Where the head was when asked (smoothed yaw): a turn the other way is measured from here. */
  private askedYaw: number | null = null;
  private base: Mark | null = null;
  private peak: Mark | null = null;
  /** The turn of each frame since the base (degrees the asked way from it), in time order. */
  private path: { t: number; turned: number }[] = [];
  private lastFaceAt: number | null = null;
  /** When the turn first passed a quarter of the way (ms). */
  private leftBaseAt: number | null = null;
  /** The last few yaw readings: the turn is read from their median (one frame's misfit is noise). */
  private recentYaw: number[] = [];
  /** The last frame with one face, to tell a swapped picture from a moving head. */
  private previous: { t: number; measure: Measure } | null = null;
  /**
   * Where the head rested before this turn, degrees from the least-turned frame (at most half of
   * turnDeg): back is within backDeg of it.
   */
  private rest = 0;

  constructor(
    readonly side: TurnSide,
    private readonly rules: ChallengeRules = CHALLENGE_RULES,
  ) {}

  get asked(): boolean {
    return this.askedAt !== null;
  }

  /** When the request was put on screen, or last renewed (ms); null before. */
  get askedSince(): number | null {
    return this.renewedAt ?? this.askedAt;
  }

  get passed(): boolean {
    return this.state === 'passed';
  }

  get failed(): boolean {
    return this.state === 'wrong_way';
  }

  /** The request is on screen from `t` (ms). */
  ask(t: number): void {
    if (this.askedAt !== null) return;
    this.askedAt = t;
    this.state = 'out';
  }

  private get sign(): number {
    return this.side === 'left' ? 1 : -1;
  }

  private baseYaw = 0;

  /** The turn is read afresh from the next frame (a gap, or another picture came in between). */
  private restart(): void {
    this.recentYaw = [];
    this.askedYaw = null;
    this.wrongSince = null;
    this.rebase(null);
    if (this.state === 'back' || this.state === 'flat') this.state = 'out';
  }

  private rebase(mark: Mark | null): void {
    this.base = mark;
    this.peak = null;
    this.path = [];
    this.leftBaseAt = null;
  }

  /** Frames of `path` strictly between a quarter and three quarters of `peak` degrees. */
  private between(path: { turned: number }[], peak: number): number {
    return path.filter((p) => p.turned > peak / 4 && p.turned < (3 * peak) / 4).length;
  }

  /** One analysed frame: its mesh points and head pose, or nulls when no usable face was seen. */
  push(t: number, points: MeshPoints | null, pose: HeadPose | null): ChallengeState {
    if (this.askedAt === null || this.state === 'passed' || this.state === 'wrong_way') {
      return this.state;
    }
    const measure = points && pose ? measureFrame(points) : null;
    if (!measure || !pose) {
      if (this.lastFaceAt !== null && t - this.lastFaceAt > this.rules.gapMs) this.restart();
      return this.state;
    }
    this.lastFaceAt = t;
    const previous = this.previous;
    this.previous = { t, measure };
    if (
      previous &&
      t - previous.t <= CUT_WITHIN_MS &&
      pictureSwapped(previous.measure, measure, SWAP_ONLY)
    ) {
      this.restart();
    }
    this.recentYaw.push(pose.yaw);
    if (this.recentYaw.length > SMOOTH_FRAMES) this.recentYaw.shift();
    const yaw = median(this.recentYaw);
    this.askedYaw ??= yaw;
    const r = this.rules;
    if (this.state === 'out' && this.sign * (yaw - this.askedYaw) <= -r.wrongWayDeg) {
      // The other way first, from where the head was when asked, and held (a tracker settling
      // on a jumped picture reads a pose for a frame or two): what a recording does half the
      // time. A head coming back from a turn the asked way is not this.
      this.wrongSince ??= t;
      if (t - this.wrongSince >= WRONG_WAY_HOLD_MS) {
        this.state = 'wrong_way';
        return this.state;
      }
    } else {
      this.wrongSince = null;
    }
    if (!this.base) {
      // "Straight" is where the head is when the turn begins to be read: at the request, or
      // after a gap or a flat try, where it is then.
      this.baseYaw = yaw;
      this.base = { t, rel: 0, measure };
      if (this.state === 'flat') this.state = 'out';
      return this.state;
    }
    const rel = this.sign * (yaw - this.baseYaw);
    this.currentTurn = Math.abs(rel);
    const quarter = r.turnDeg / 4;
    if (this.state === 'out' || this.state === 'flat') {
      // The turn is measured from the least-turned pose since the request: a head that drifted
      // a little the other way first gets the whole swing.
      if (rel < this.base.rel) {
        this.rebase({ t, rel, measure });
        return this.state;
      }
      const turned = rel - this.base.rel;
      this.path.push({ t, turned });
      this.bestTurn = Math.max(this.bestTurn, turned);
      if (turned > quarter && this.leftBaseAt === null) this.leftBaseAt = t;
      if (turned <= quarter) this.leftBaseAt = null;
      if (turned >= r.turnDeg) {
        const reacted = this.leftBaseAt !== null && this.leftBaseAt - this.askedAt >= r.reactionMs;
        if (!reacted) {
          // A turn already under way when asked: not an answer. Read again from here.
          this.baseYaw = yaw;
          this.rebase({ t, rel: 0, measure });
          return this.state;
        }
        this.state = 'back';
        this.peak = { t, rel: turned, measure };
        const resting = this.path
          .filter((p) => p.t >= t - REST_FROM_MS && p.t <= t - REST_UNTIL_MS)
          .map((p) => p.turned);
        this.rest = resting.length > 0 ? Math.min(median(resting), r.turnDeg / 2) : 0;
      }
      return this.state;
    }
    // On the way back (or still further out).
    const peak = this.peak!;
    const turned = rel - this.base.rel;
    this.path.push({ t, turned });
    if (turned > peak.rel) {
      this.peak = { t, rel: turned, measure };
      this.bestTurn = Math.max(this.bestTurn, turned);
      return this.state;
    }
    if (turned <= r.backDeg + this.rest) {
      // Out and back, each through in-between poses of the whole turn (at the camera's rate a
      // real head passes through them; a slideshow of two pictures jumps).
      const out = this.path.filter((p) => p.t <= peak.t);
      const back = this.path.filter((p) => p.t > peak.t);
      const smooth =
        this.between(out, peak.rel) >= r.between && this.between(back, peak.rel) >= r.between;
      // Back where it rested but not within backDeg of the least-turned frame, with no in-between
      // pose yet: not judged until it is (a brisk return seen at a low rate gets its frames).
      if (!smooth && turned > r.backDeg) return this.state;
      this.lastParallax = parallaxBetween(this.base.measure, peak.measure);
      if (smooth) this.maxParallax = Math.max(this.maxParallax, this.lastParallax);
      if (smooth && this.lastParallax >= r.parallax) {
        this.state = 'passed';
        this.passedAt = t;
        return this.state;
      }
      // A jump, or flat: this try does not count; the next turn is read from here.
      if (this.lastParallax < r.parallax) {
        this.flatTurns++;
        if (this.renewals < TURN_RENEWALS) {
          this.renewals++;
          this.renewedAt = t;
        }
      }
      this.state = 'flat';
      this.baseYaw = yaw;
      this.rebase({ t, rel: 0, measure });
    }
    return this.state;
  }
}

/** A side drawn at random (crypto where there is one: a recording cannot predict it). */
export function drawSide(random: () => number = cryptoRandom): TurnSide {
  return random() < 0.5 ? 'left' : 'right';
}

function cryptoRandom(): number {
  const c = globalThis.crypto;
  if (c?.getRandomValues) {
    const a = new Uint32Array(1);
    c.getRandomValues(a);
    return a[0]! / 2 ** 32;
  }
  return Math.random();
}
