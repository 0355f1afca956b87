/**
 * The cooperative person's repertoire: which stretches of a real video to play for what a screen
 * asks (test/e2e/cooperative-camera.ts), found on the video's pose timeline (pose-timeline.ts).
 * Pure: no files, no browser.
 *
 * A person asked for a view turns to it and holds it until the screen moves on. Footage cannot
 * hold, so a view is played as the approach (from the last near-frontal moment before the view,
 * at most 2 s back) then the frames that show it, back and forth (a person holding a pose wobbles
 * a little). The straight view is played with up to 3 s of the footage before it, so the face has
 * had time to blink or talk (the enrollment waits for a sign of life). A head-turn request at the
 * unlock is answered with the approach to a turn of at least 15° and the same frames backwards
 * (turning back), then frontal footage again.
 */
import { ENROLL_STEPS, type EnrollStep } from '../../src/lib/decisions/enroll-guidance.ts';

/** One measured frame: its index in the webcam frames, its pose (null: no face), usable or not. */
export interface PoseSample {
  frame: number;
  yaw: number | null;
  pitch: number | null;
  /** A face with a pose, passing the quality gate but for the pose (head_turned). */
  ok: boolean;
}

export interface PoseTimeline {
  name: string;
  fps: number;
  /** Webcam frames in all (samples are every few of them). */
  count: number;
  samples: PoseSample[];
  /**
   * Per sample, seconds from playing the footage in order from there until the app's liveness
   * check sees a sign of life (null: none in 6 s); absent when not measured.
   */
  aliveAfter?: (number | null)[];
}

/** What to play: `frames` once, then `loop` over and over (null: back to the frontal loop). */
export interface Playback {
  frames: number[];
  loop: number[] | null;
  /** The pose the stretch was chosen for (its most extreme sample for a view). */
  yaw: number;
  pitch: number;
}

/**
 * What the screen asks of the person: `alive` when it asks for a sign of life (a blink, a small
 * turn), answered with the footage as filmed, back and forth (a real person blinks and moves).
 */
export type Want =
  'frontal' | 'facing' | 'alive' | EnrollStep['id'] | 'challenge-left' | 'challenge-right';

export interface Repertoire {
  name: string;
  fps: number;
  timeline: PoseTimeline;
  /** Near-frontal footage, as a person facing the camera between requests. */
  frontal: Playback | null;
  /**
   * The same near-frontal footage without the lead-in where a sign of life shows soonest (that
   * lead-in may turn the head, which at the unlock is no answer to anything): a person facing the
   * camera at the unlock, as filmed.
   */
  facing: Playback | null;
  /** One playback per enrollment view (null: the footage never shows it). */
  views: Record<EnrollStep['id'], Playback | null>;
  /** Answers to a head-turn request at the unlock (null: cannot answer). */
  challenges: Record<'left' | 'right', Playback | null>;
  /**
   * Some frame shows the straight view (the app's range) and, from its pose, frames show every
   * other view: the footage could enroll.
   */
  couldEnroll: boolean;
}

/** Margins kept inside the app's ranges, so pose noise between runs does not miss a target. */
export const MARGIN_DEG = 2;
/** After a head-turn answer the head stays where it came back to this long (s). */
const SETTLE_S = 0.8;
/** A head-turn answer at the unlock turns at least this far from the frontal pose. */
export const CHALLENGE_TURN_DEG = 15;

interface Pose {
  yaw: number;
  pitch: number;
}

type Sample = PoseSample & Pose;

const usable = (s: PoseSample): s is Sample => s.ok && s.yaw !== null && s.pitch !== null;

const median = (values: number[]): number => {
  const v = [...values].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
};

/** Maximal runs of consecutive samples (by position in the timeline) that pass `test`. */
export function runs(
  samples: readonly PoseSample[],
  test: (s: Sample) => boolean,
): [number, number][] {
  const out: [number, number][] = [];
  let start = -1;
  samples.forEach((s, k) => {
    const inside = usable(s) && test(s);
    if (inside && start < 0) start = k;
    if (!inside && start >= 0) {
      out.push([start, k - 1]);
      start = -1;
    }
  });
  if (start >= 0) out.push([start, samples.length - 1]);
  return out;
}

const range = (from: number, to: number): number[] =>
  from <= to
    ? Array.from({ length: to - from + 1 }, (_, i) => from + i)
    : Array.from({ length: from - to + 1 }, (_, i) => from - i);

/** Back and forth over these frames (a single frame is held). */
const pingPong = (frames: number[]): number[] =>
  frames.length <= 1 ? frames : [...frames, ...frames.slice(1, -1).reverse()];

/**
 * Does this pose show the step's view from `straight`, with MARGIN_DEG to spare on each bound
 * (the gate's absolute limits too)?
 */
export function inView(
  step: EnrollStep,
  pose: Pose,
  straight: Pose | null,
  margin = MARGIN_DEG,
): boolean {
  const ref = step.reference === 'absolute' ? { yaw: 0, pitch: 0 } : straight;
  if (!ref) return false;
  const axisOk = (axis: 'yaw' | 'pitch', limit: number) => {
    const r = step[axis];
    const v = pose[axis];
    if (Math.abs(v) > limit - margin) return false;
    const d = v - ref[axis];
    const inside = (lo: number, hi: number) => d >= lo + margin && d <= hi - margin;
    return inside(r.min, r.max) || (step.eitherWay === axis && inside(-r.max, -r.min));
  };
  return axisOk('yaw', 35) && axisOk('pitch', 30);
}

/** How far back the approach to a view may start (s). */
const APPROACH_S = 2;
/**
 * Footage before the straight view played with it (s). None: the app would take its straight
 * sample from that footage wherever it passes ±5°, not from the run the turns were planned from;
 * a sign of life is shown when the screen asks for one (`alive`).
 */
const LEAD_IN_S = 0;

/**
 * The playback for runs of samples passing `test`: the longest run (ties: the first), after its
 * approach (from the last sample before it within `near` of `base`, at most APPROACH_S back).
 */
function viewPlayback(
  t: PoseTimeline,
  test: (s: Sample) => boolean,
  base: Pose,
  options: { leadIn?: number; score?: (s: Sample) => number; fromBase?: boolean } = {},
): Playback | null {
  const score = options.score ?? (() => 0);
  const step = t.samples.length > 1 ? t.samples[1]!.frame - t.samples[0]!.frame : 1;
  const back = Math.round(((options.leadIn ?? APPROACH_S) * t.fps) / step);
  // Where each run's playback starts: with no fixed lead-in, at the last near-frontal sample
  // before the run (the person starts facing the camera), else `back` samples before it.
  const startOf = ([a]: [number, number]): { start: number; fromBase: boolean } => {
    if (options.leadIn !== undefined) return { start: Math.max(0, a - back), fromBase: false };
    let start = a;
    for (let k = a - 1; k >= Math.max(0, a - back); k--) {
      const s = t.samples[k]!;
      start = k;
      if (usable(s) && Math.abs(s.yaw - base.yaw) < 6 && Math.abs(s.pitch - base.pitch) < 6) {
        return { start, fromBase: true };
      }
    }
    return { start, fromBase: false };
  };
  // A turn asked for at the unlock has to start where the head is (facing the camera): a stretch
  // that comes from elsewhere would teleport the head, which the app reads as a wrong-way turn.
  const found = runs(t.samples, test).filter((r) => !options.fromBase || startOf(r).fromBase);
  if (found.length === 0) return null;
  const best = found.reduce((x, y) => {
    const len = (r: [number, number]) => r[1] - r[0];
    return len(y) > len(x) ? y : x;
  });
  const [a, b] = best;
  const { start } = startOf(best);
  const holdFrames = range(t.samples[a]!.frame, t.samples[b]!.frame);
  const peak = t.samples
    .slice(a, b + 1)
    .filter(usable)
    .reduce((p, s) => (score(s) > score(p) ? s : p));
  return {
    frames: range(t.samples[start]!.frame, t.samples[a]!.frame),
    loop: pingPong(holdFrames),
    yaw: peak.yaw,
    pitch: peak.pitch,
  };
}

/** Samples a timeline takes apart (frames). */
const sampleStep = (t: PoseTimeline) =>
  t.samples.length > 1 ? t.samples[1]!.frame - t.samples[0]!.frame : 1;

/**
 * A relative view's playback from the straight sample's pose: the longest run of frames in view
 * with MARGIN_DEG to spare, else with none (null: the footage never shows it from there).
 */
export function relativePlayback(
  t: PoseTimeline,
  step: EnrollStep,
  straight: Pose,
): Playback | null {
  const score =
    step.id === 'left'
      ? (s: Sample) => s.yaw
      : step.id === 'right'
        ? (s: Sample) => -s.yaw
        : (s: Sample) => Math.abs(s.pitch - straight.pitch);
  for (const margin of [MARGIN_DEG, 0]) {
    const p = viewPlayback(t, (s) => inView(step, s, straight, margin), straight, { score });
    if (p) return p;
  }
  return null;
}

/**
 * Where to start the footage for a sign of life: the near-frontal sample from which the liveness
 * check finds one soonest, to a second past it (sample indices), or null when not measured.
 */
export function aliveWindow(t: PoseTimeline): [number, number] | null {
  const after = t.aliveAfter;
  if (!after) return null;
  let best: { k: number; s: number } | null = null;
  for (const [k, sample] of t.samples.entries()) {
    const s = after[k];
    if (s === null || s === undefined || !usable(sample)) continue;
    if (Math.abs(sample.yaw) > 10 || Math.abs(sample.pitch) > 12) continue;
    if (!best || s < best.s) best = { k, s };
  }
  if (!best) return null;
  const { k, s } = best;
  const until = t.samples[k]!.frame + (s + 1) * t.fps;
  let end = k;
  while (end + 1 < t.samples.length && t.samples[end + 1]!.frame <= until) end++;
  return [k, end];
}

/** The repertoire of one video: frontal footage, the enrollment's views, the unlock's turns. */
export function findRepertoire(
  t: PoseTimeline,
  steps: readonly EnrollStep[] = ENROLL_STEPS,
): Repertoire {
  const byId = (id: EnrollStep['id']) => steps.find((s) => s.id === id)!;
  const relative = steps.filter((s) => s.reference === 'straight');
  const straightStep = byId('straight');
  const usableSamples = t.samples.filter(usable);
  const reachable = (straight: Pose, margin: number) =>
    relative.every((step) => usableSamples.some((s) => inView(step, s, straight, margin)));
  // The straight playback: the longest straight run (with the margin, else without) from whose
  // median pose every other view is reachable with the margin, else the longest.
  const lead = Math.round((LEAD_IN_S * t.fps) / sampleStep(t));
  let straight: Playback | null = null;
  for (const margin of [MARGIN_DEG, 0]) {
    const found = runs(t.samples, (s) => inView(straightStep, s, null, margin)).sort(
      (x, y) => y[1] - y[0] - (x[1] - x[0]),
    );
    const playbacks = found.map(([a, b]): Playback => {
      const poses = t.samples.slice(a, b + 1).filter(usable);
      return {
        frames: range(t.samples[Math.max(0, a - lead)]!.frame, t.samples[a]!.frame),
        loop: pingPong(range(t.samples[a]!.frame, t.samples[b]!.frame)),
        yaw: median(poses.map((p) => p.yaw)),
        pitch: median(poses.map((p) => p.pitch)),
      };
    });
    straight = playbacks.find((p) => reachable(p, MARGIN_DEG)) ?? playbacks[0] ?? null;
    if (straight) break;
  }
  const views: Repertoire['views'] = { straight, left: null, right: null, nod: null };
  if (straight) {
    for (const step of relative) views[step.id] = relativePlayback(t, step, straight);
  }

  // Frontal: the longest near-frontal run (a person facing the camera between requests).
  const frontalTest = (s: Sample) => Math.abs(s.yaw) <= 8 && Math.abs(s.pitch) <= 10;
  const frontal = viewPlayback(t, frontalTest, { yaw: 0, pitch: 0 }, { leadIn: 0 });
  const facing = frontal && { ...frontal, frames: [] };
  // Facing the camera starts where the footage soonest shows a sign of life, then holds frontal.
  const alive = aliveWindow(t);
  if (frontal && alive)
    frontal.frames = range(t.samples[alive[0]]!.frame, t.samples[alive[1]]!.frame);
  const base = { yaw: 0, pitch: 0 };
  if (frontal) {
    const hold = runs(t.samples, frontalTest).reduce((x, y) => (y[1] - y[0] > x[1] - x[0] ? y : x));
    const poses = t.samples.slice(hold[0], hold[1] + 1).filter(usable);
    base.yaw = median(poses.map((s) => s.yaw));
    base.pitch = median(poses.map((s) => s.pitch));
    frontal.yaw = base.yaw;
    frontal.pitch = base.pitch;
    facing!.yaw = base.yaw;
    facing!.pitch = base.pitch;
  }
  // A turn within 35° where the footage has one, else a wider one (people asked to turn do both).
  const challengeTurn = (sign: 1 | -1, limit: number) =>
    viewPlayback(
      t,
      (s) => sign * (s.yaw - base.yaw) >= CHALLENGE_TURN_DEG && Math.abs(s.yaw) <= limit,
      base,
      { score: (s) => sign * s.yaw, fromBase: true },
    );
  const challenge = (sign: 1 | -1): Playback | null => {
    const turn = challengeTurn(sign, 35) ?? challengeTurn(sign, 70);
    if (!turn) return null;
    const hold = turn.loop ?? [];
    const there = [...turn.frames, ...hold.slice(0, Math.ceil(hold.length / 2))];
    // Back where it started, the head stays a moment (as a person does) before the footage
    // facing the camera takes over.
    const settle = Array.from({ length: Math.round(SETTLE_S * t.fps) }, () => there[0]!);
    return {
      frames: [...there, ...there.slice(0, -1).reverse(), ...settle],
      loop: null,
      yaw: turn.yaw,
      pitch: turn.pitch,
    };
  };
  return {
    name: t.name,
    fps: t.fps,
    timeline: t,
    frontal,
    facing,
    views,
    challenges: { left: challenge(1), right: challenge(-1) },
    // Could enroll: the straight stretch, and from its pose a stretch for every other view.
    couldEnroll: steps.every((s) => views[s.id] !== null),
  };
}

/**
 * What the footage plays for this want (null: it cannot show it). A relative view is found from
 * `straight`, the pose the app recorded for the straight sample, when it is known: the person
 * turns until the screen takes the view.
 */
export function playbackFor(
  r: Repertoire,
  want: Want,
  straight: Pose | null = null,
  steps: readonly EnrollStep[] = ENROLL_STEPS,
): Playback | null {
  if (want === 'frontal') return r.frontal;
  if (want === 'facing') return r.facing;
  if (want === 'alive') {
    // Where the footage soonest shows a sign of life, back and forth; else all of it.
    const w = aliveWindow(r.timeline);
    const frames = w
      ? range(r.timeline.samples[w[0]]!.frame, r.timeline.samples[w[1]]!.frame)
      : range(0, r.timeline.count - 1);
    return { frames, loop: pingPong(frames), yaw: NaN, pitch: NaN };
  }
  if (want === 'challenge-left') return r.challenges.left;
  if (want === 'challenge-right') return r.challenges.right;
  const step = steps.find((s) => s.id === want);
  if (step && step.reference === 'straight' && straight) {
    return relativePlayback(r.timeline, step, straight) ?? r.views[want];
  }
  return r.views[want];
}
