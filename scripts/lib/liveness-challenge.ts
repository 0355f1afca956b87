/**
 * The requested head turn, scored on recorded frames as the app meets it: the request appears
 * CHALLENGE_PROMPT_AFTER_MS after the first usable face, with a side drawn at random per attempt.
 * A genuine person answers after a human reaction time with a stretch of their own video that turns
 * that way and back (the footage is the person: it cannot be made to turn on cue otherwise); an
 * attack plays on as it is, since a photo or a recording cannot hear the request.
 */
import {
  CHALLENGE_PROMPT_AFTER_MS,
  HeadTurnChallenge,
  type ChallengeRules,
  type TurnSide,
} from '../../src/lib/decisions/head-turn-challenge.ts';
import {
  LIVENESS_LIMIT_MS,
  LivenessCheck,
  UNLOCK_PASSIVE_RULES,
  type LivenessRules,
} from '../../src/lib/decisions/liveness.ts';
import type { MeshFrame } from './liveness-set.ts';

/** From the request on screen to the head starting to move (ms): a person's simple reaction. */
export const REACTION_MS = 500;
/** An answer is a stretch that turns at least this far the asked way (degrees) and comes back. */
export const ANSWER_TURN_DEG = 18;
/** ... back to within this of where it started (degrees). */
const ANSWER_BACK_DEG = 3;
/** The stretch starts near the pose the face has when the person reacts (degrees of yaw). */
const ANSWER_START_DEG = 6;

const usable = (f: MeshFrame) => f.points !== null && f.quality.length === 0 && f.pose !== null;

export interface Stretch {
  from: number;
  /** Inclusive. */
  to: number;
}

/**
 * Every shortest stretch of `frames` that starts at a usable frame, turns `side` by ANSWER_TURN_DEG
 * and comes back within ANSWER_BACK_DEG of its start; one per start frame.
 */
export function answerStretches(frames: readonly MeshFrame[], side: TurnSide): Stretch[] {
  const sign = side === 'left' ? 1 : -1;
  const out: Stretch[] = [];
  for (let i = 0; i < frames.length; i++) {
    const start = frames[i]!;
    if (!usable(start)) continue;
    let reached = false;
    for (let j = i + 1; j < frames.length; j++) {
      const f = frames[j]!;
      if (!f.pose) continue;
      const rel = sign * (f.pose.yaw - start.pose!.yaw);
      if (!reached && rel <= -ANSWER_BACK_DEG * 2) break;
      if (rel >= ANSWER_TURN_DEG) reached = true;
      if (reached && rel <= ANSWER_BACK_DEG) {
        out.push({ from: i, to: j });
        break;
      }
    }
  }
  return out;
}

/** What shows a live face: blinks and lips or the turn (the app's default), or the turn only. */
export type Policy = 'passive-or-turn' | 'turn';

export interface ChallengeResult {
  live: boolean;
  liveMs: number | null;
  /** 'turn', 'blink' or 'mouth' when live. */
  cue: string | null;
  /** The footage holds no stretch that answers the side asked (genuine only). */
  cannotAnswer: boolean;
  side: TurnSide;
  /** Largest turn the asked way (degrees) and the last full turn's parallax. */
  turn: number;
  parallax: number;
  /** The largest parallax of any full turn (what a threshold would have to stay above). */
  maxParallax: number;
  state: string;
}

interface Judges {
  challenge: HeadTurnChallenge;
  passive: LivenessCheck | null;
}

function feed(
  judges: Judges,
  frames: readonly { t: number; frame: MeshFrame }[],
  limitMs: number,
): { at: number; cue: string } | null {
  const { challenge, passive } = judges;
  let faceAt: number | null = null;
  for (const { t, frame } of frames) {
    if (t > limitMs) break;
    const ok = usable(frame);
    if (ok && faceAt === null) faceAt = t;
    if (faceAt !== null && !challenge.asked && t >= faceAt + CHALLENGE_PROMPT_AFTER_MS) {
      challenge.ask(t);
    }
    // The turn is read on every frame with one face, also those the quality gate refuses for
    // being turned: that is the answer.
    const seen = frame.faces === 1 && frame.points !== null && frame.pose !== null;
    challenge.push(t, seen ? frame.points : null, seen ? frame.pose : null);
    if (challenge.passed) return { at: t, cue: 'turn' };
    if (passive?.push(t, ok ? frame.points : null)) return { at: t, cue: passive.liveBy! };
    // Strict: one side, one try; by default a wrong turn leaves the passive cues.
    if (challenge.failed && !passive) return null;
  }
  return null;
}

function judges(side: TurnSide, rules: ChallengeRules, policy: Policy, passive: LivenessRules) {
  return {
    challenge: new HeadTurnChallenge(side, rules),
    passive: policy === 'passive-or-turn' ? new LivenessCheck(passive) : null,
  };
}

/** An attack (or any presentation that cannot respond): its frames as they are. */
export function challengeAttack(
  frames: readonly MeshFrame[],
  side: TurnSide,
  rules: ChallengeRules,
  limitMs = LIVENESS_LIMIT_MS,
  policy: Policy = 'passive-or-turn',
  passiveRules: LivenessRules = UNLOCK_PASSIVE_RULES,
): ChallengeResult {
  const j = judges(side, rules, policy, passiveRules);
  const challenge = j.challenge;
  const t0 = frames[0]?.t ?? 0;
  const timed = frames.map((frame) => ({ t: (frame.t - t0) * 1000, frame }));
  const result = feed(j, timed, limitMs);
  return {
    live: result !== null,
    liveMs: result?.at ?? null,
    cue: result?.cue ?? null,
    cannotAnswer: false,
    side,
    turn: challenge.bestTurn,
    parallax: challenge.lastParallax,
    maxParallax: challenge.maxParallax,
    state: challenge.state,
  };
}

/**
 * A genuine window starting at frame `from` of `frames` (the whole video, at a fixed rate): the
 * person faces the camera (the window plays) until REACTION_MS after the request, then answers
 * with the stretch of their own footage that starts nearest their pose then (within
 * ANSWER_START_DEG), and plays on from its end. Footage with no such stretch cannot answer from
 * where the head is: a stretch that starts elsewhere would teleport the head, which the app
 * rightly reads as a jump or a turn the wrong way.
 */
export function challengeGenuine(
  frames: readonly MeshFrame[],
  from: number,
  side: TurnSide,
  rules: ChallengeRules,
  stretches: readonly Stretch[],
  limitMs = LIVENESS_LIMIT_MS,
  policy: Policy = 'passive-or-turn',
  passiveRules: LivenessRules = UNLOCK_PASSIVE_RULES,
): ChallengeResult {
  const dt = frames.length > 1 ? frames[1]!.t - frames[0]!.t : 0.1;
  const first = frames.slice(from).findIndex(usable);
  const base = {
    side,
    turn: 0,
    parallax: 0,
    maxParallax: 0,
  };
  if (first < 0) {
    return { ...base, live: false, liveMs: null, cue: null, cannotAnswer: false, state: 'no face' };
  }
  const faceMs = first * dt * 1000;
  const reactAt = faceMs + CHALLENGE_PROMPT_AFTER_MS + REACTION_MS;
  const reactFrame = from + Math.ceil(reactAt / 1000 / dt);
  const poseNow = frames[Math.min(reactFrame, frames.length - 1)]?.pose?.yaw ?? null;
  // The answer: the stretch whose first frame is nearest the pose at the moment of reacting.
  let answer: Stretch | null = null;
  let best = Infinity;
  for (const s of stretches) {
    const yaw = frames[s.from]!.pose!.yaw;
    const d = poseNow === null ? 0 : Math.abs(yaw - poseNow);
    const cost = d + 0.01 * (s.to - s.from);
    if (d <= ANSWER_START_DEG && cost < best) {
      best = cost;
      answer = s;
    }
  }
  // Without an answer in the footage the person is seen as they are (a blink may still come).
  const order: number[] = [];
  for (let i = from; i < Math.min(reactFrame, frames.length); i++) order.push(i);
  for (let i = answer ? answer.from : reactFrame; i < frames.length; i++) order.push(i);
  const timed = order.map((index, k) => ({ t: k * dt * 1000, frame: frames[index]! }));
  const j = judges(side, rules, policy, passiveRules);
  const challenge = j.challenge;
  const result = feed(j, timed, limitMs);
  return {
    live: result !== null,
    liveMs: result?.at ?? null,
    cue: result?.cue ?? null,
    // Counted apart only when the footage could not answer and nothing else showed life.
    cannotAnswer: result === null && answer === null,
    side,
    turn: challenge.bestTurn,
    parallax: challenge.lastParallax,
    maxParallax: challenge.maxParallax,
    state: challenge.state,
  };
}
