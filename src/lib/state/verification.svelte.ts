import {
  ATTEMPT_LIMITS,
  attemptDeadlineMs,
  AttemptTracker,
  frameProblem,
  type AttemptLimits,
  type StopReason,
} from '../decisions/attempt-outcome';
import { toGray } from '../math/image-stats';
import {
  LIVENESS_LIMIT_MS,
  LIVENESS_PROMPT_MS,
  LivenessCheck,
  UNLOCK_PASSIVE_RULES,
} from '../decisions/liveness';
import {
  CHALLENGE_PROMPT_AFTER_MS,
  drawSide,
  HeadTurnChallenge,
  type TurnSide,
  TURN_ANSWER_MS,
} from '../decisions/head-turn-challenge';
import { FrameDecision, verifyScore, type Candidate, type Enrolled } from '../math/match';
import { TemplateMatrix } from '../math/template-matrix';
import {
  cropStats,
  eyeAspectRatio,
  rejectionHints,
  type FrameObservation,
  type RejectionHint,
} from '../decisions/rejection-hints';
import type { FrameAnalysis } from '../vision/frame-analysis';
import { unlockWantsEmbedding } from '../decisions/embed-policy';

/**
 * `timed_out`: the attempt stopped without a verdict (no usable frame, or no time left, or the
 * vault did not open after a match). `accepted`: matched and alive; the vault is being opened,
 * which must end within OPEN_DEADLINE_MS too (opened(), or openFailed()).
 */
export type VerifyStatus = 'idle' | 'looking' | 'accepted' | 'rejected' | 'timed_out';

/**
 * From the accept to the open vault: a few IndexedDB writes and one decryption, well under a
 * second even on a slow phone. Past this something is stuck, and the person is told, not left
 * looking at "Recognised" with no way on.
 */
export const OPEN_DEADLINE_MS = 10_000;

/**
 * What shows a live face: a blink or moving lips, or the requested head turn (`passive-or-turn`,
 * the default); or only the requested turn (`turn`, the Strict level: a replayed recording that
 * blinks cannot pass it, docs/SECURITY.md).
 */
export type LivenessPolicy = 'passive-or-turn' | 'turn';

export interface StartOptions {
  liveness?: LivenessPolicy;
  /** The side to ask for (tests); drawn at random per attempt otherwise. */
  side?: TurnSide;
  /** Clock in ms (performance.now by default); injected so tests and benchmarks control time. */
  now?: () => number;
  limits?: AttemptLimits;
  /** Called once when the attempt ends with a verdict or a time-out (not on cancel). */
  onEnd?: (flow: VerificationFlow) => void;
}

/** How often the timer looks at the clock, so an attempt ends even when no frame comes. */
const TICK_MS = 250;
/** Observations kept for the rejection hints (the last ones matched). */
const KEEP_OBSERVATIONS = 40;

/**
 * One attempt to verify (1:1, `target` set) or identify (1:N) the person in front of the camera,
 * decided over several consecutive good frames (FrameDecision), never a single one, and bounded in
 * time (AttemptTracker): it ends with a verdict or with the reason that held it.
 */
export class VerificationFlow {
  status = $state<VerifyStatus>('idle');
  /** The accepted person, or the closest one for the message after a rejection. */
  result = $state<Candidate | null>(null);
  lastScore = $state<number | null>(null);
  framesSeen = $state(0);
  mode = $state<'verify' | 'identify'>('identify');
  /** The person of a 1:1 attempt, so "Try again" repeats the same attempt. */
  targetId = $state<string | null>(null);
  /** From the first frame of this attempt that showed a face to the decision (benchmarks, UI). */
  decisionMs = $state<number | null>(null);
  /** Why a timed-out attempt stopped (the screen words it: ui/text/attempt.ts). */
  stopReason = $state<StopReason | null>(null);
  /**
   * Words of their own for a stop: the camera's (CAMERA_MESSAGES) when it stopped mid-attempt,
   * or what kept the vault from opening after a match.
   */
  stopMessage = $state<string | null>(null);
  /** Ms from the start by which this attempt ends whatever the machine's speed (tests read it). */
  deadlineMs = $state(0);
  /** After a rejection: what could be seen in the matched frames (may be empty). */
  hints = $state.raw<RejectionHint[]>([]);
  /** After a rejection: the person of a 1:1 attempt, named by the neutral text. */
  rejectTarget = $state<string | null>(null);
  /** The face has shown itself alive in this attempt (liveness.ts); a match opens nothing before. */
  live = $state(false);
  /** No sign of life yet, long enough that the screen asks for a blink or a small turn. */
  askForLife = $state(false);
  /** The side the screen asks the head to turn to and back (null until asked). */
  challenge = $state<TurnSide | null>(null);
  /** Times the request was renewed after a turn too flat to count (the screen asks for more). */
  turnRenewals = $state(0);
  /** How the requested turn stands (state, largest turn in degrees, last parallax): for tests. */
  turnTrace = $state('');
  /** The head turned the other way first: the turn cannot pass in this attempt. */
  wrongWay = $state(false);
  /** What made the face live: 'blink', 'mouth' or 'turn' (null while not live). */
  liveBy = $state<string | null>(null);

  private faceSeenAt: number | null = null;
  /** When this attempt started (the clock of `now`). */
  private startedAt = 0;
  private decision: FrameDecision | null = null;
  private tracker: AttemptTracker | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private now: () => number = () => performance.now();
  private onEnd: ((flow: VerificationFlow) => void) | null = null;
  private observations: FrameObservation[] = [];
  private bestCandidate: Candidate | null = null;
  private runIds: string[] = [];
  /** Everyone enrolled, packed for 1:N (identify) attempts; kept while the people do not change. */
  private matrix = TemplateMatrix.of([]);
  private target: Enrolled | null = null;
  private liveness = new LivenessCheck(UNLOCK_PASSIVE_RULES);
  private turn: HeadTurnChallenge | null = null;
  private policy: LivenessPolicy = 'passive-or-turn';
  /** When the first usable face of this attempt was seen (the turn is asked a little later). */
  private usableSince: number | null = null;
  /** A match that came before the face showed itself alive, in that stretch of face. */
  private pending: { candidate: Candidate } | null = null;
  /** When push() last matched an embedding in this attempt (wantsEmbedding paces the backbone). */
  private lastPushAt: number | null = null;

  start(
    people: readonly Enrolled[],
    threshold: number,
    target: Enrolled | null = null,
    options: StartOptions = {},
  ): void {
    this.stopTimer();
    // Packing reads every template (~0.1 s per 10,000): once per attempt, and not again when a
    // new attempt brings the same people.
    if (!target && !this.matrix.holds(people)) this.matrix = TemplateMatrix.of(people);
    this.target = target;
    this.targetId = target?.id ?? null;
    this.mode = target ? 'verify' : 'identify';
    this.now = options.now ?? (() => performance.now());
    this.startedAt = this.now();
    this.onEnd = options.onEnd ?? null;
    this.faceSeenAt = null;
    this.decisionMs = null;
    this.decision = new FrameDecision({ threshold, need: 3, maxFrames: 20 });
    const limits = options.limits ?? ATTEMPT_LIMITS;
    this.deadlineMs = attemptDeadlineMs(limits) + OPEN_DEADLINE_MS;
    this.tracker = new AttemptTracker(this.now(), limits);
    this.observations = [];
    this.bestCandidate = null;
    this.runIds = [];
    this.status = 'looking';
    this.result = null;
    this.lastScore = null;
    this.framesSeen = 0;
    this.stopReason = null;
    this.stopMessage = null;
    this.hints = [];
    this.rejectTarget = null;
    this.liveness = new LivenessCheck(UNLOCK_PASSIVE_RULES);
    this.policy = options.liveness ?? 'passive-or-turn';
    this.turn = new HeadTurnChallenge(options.side ?? drawSide());
    this.usableSince = null;
    this.challenge = null;
    this.turnTrace = '';
    this.turnRenewals = 0;
    this.wrongWay = false;
    this.liveBy = null;
    this.pending = null;
    this.live = false;
    this.askForLife = false;
    this.lastPushAt = null;
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /**
   * Whether the next good frame should be embedded and pushed (decisions/embed-policy.ts): one
   * every SEARCH_EMBED_EVERY_MS until the face shows life (none while a requested turn is on
   * screen), then every one until the decision.
   */
  wantsEmbedding(now: number = this.now()): boolean {
    // A head turned to answer the request is not matched: no backbone for it.
    if (this.turning) return false;
    const turn = this.turn;
    return unlockWantsEmbedding(
      {
        looking: this.status === 'looking',
        live: this.live,
        lastEmbeddedAt: this.lastPushAt,
        turnAsked: turn !== null && turn.asked && !turn.passed && !turn.failed,
      },
      now,
    );
  }

  /**
   * Every analysed camera frame of the attempt: tallies what held it, keeps what the rejection
   * hints need, and breaks the run of good frames when it failed the quality gate. The caller then
   * embeds a usable frame and hands it to push(). `takenAt`: when the camera frame was taken (same
   * clock as `now`); liveness times the face's movement by it, since frames that ran the backbone
   * arrive later after being taken than those that did not (decisions/embed-policy.ts).
   */
  frame(analysis: FrameAnalysis, takenAt?: number): void {
    const tracker = this.tracker;
    if (this.status !== 'looking' || !tracker) return;
    const now = this.now();
    if (analysis.faces.length > 0 && this.faceSeenAt === null) this.faceSeenAt = now;
    const usable = analysis.quality.ok && analysis.crop !== null;
    const stretch = this.liveness.stretch;
    // Liveness reads the frames a match could come from: a refused frame is no face to it.
    const points = usable ? (analysis.mesh?.points ?? null) : null;
    // Movement is timed by when each frame was taken (results arrive with uneven delays).
    const at = takenAt ?? now;
    this.liveness.push(at, points);
    const turn = this.turn;
    if (turn) {
      if (usable && this.usableSince === null) this.usableSince = at;
      if (
        !turn.asked &&
        this.usableSince !== null &&
        at - this.usableSince >= CHALLENGE_PROMPT_AFTER_MS
      ) {
        turn.ask(at);
        this.challenge = turn.side;
      }
      // The turn is read on every frame with one face, also those the quality gate refuses for
      // being turned: that is the answer.
      const seen = analysis.faces.length === 1 && analysis.mesh && analysis.quality.pose;
      turn.push(at, seen ? analysis.mesh!.points : null, seen ? analysis.quality.pose : null);
      this.wrongWay = turn.failed;
      this.turnRenewals = turn.renewals;
      this.turnTrace = `${turn.state} ${turn.bestTurn.toFixed(0)} ${turn.lastParallax.toFixed(3)}`;
    }
    const passive = this.policy === 'passive-or-turn' ? this.liveness.liveBy : null;
    this.liveBy = turn?.passed ? 'turn' : passive;
    this.live = this.liveBy !== null;
    if (this.wrongWay && this.policy === 'turn') {
      // Strict: one side, one try. A recording turns the right way by chance at best.
      this.stopReason = 'not_live';
      this.finish('timed_out', null);
      return;
    }
    if (this.liveness.stretch !== stretch) {
      // The face left or jumped: whatever matched before may not be the face in view now.
      this.pending = null;
      this.decision?.reset();
      this.runIds = [];
    }
    if (this.live && this.pending) {
      this.finish('accepted', this.pending.candidate);
      return;
    }
    const problem = usable
      ? null
      : (frameProblem(analysis.quality.reasons, analysis.faces.length) ?? 'no_face');
    tracker.frame(now, problem);
    if (usable && analysis.crop) {
      const { data, width, height } = analysis.crop;
      this.observations.push({
        metrics: analysis.quality.metrics,
        crop:
          width === 112 && height === 112 ? cropStats(toGray(data, width, height), 112, 112) : null,
        eyeAspect: analysis.mesh ? eyeAspectRatio(analysis.mesh.points) : null,
      });
      if (this.observations.length > KEEP_OBSERVATIONS) this.observations.shift();
    } else {
      this.skip();
    }
    this.tick();
  }

  /**
   * The head is turned well away from where it was when asked (answering the turn): its frames are
   * not matched, so a turned view cannot count against the person or break their run.
   */
  get turning(): boolean {
    const turn = this.turn;
    if (!turn || !turn.asked || turn.failed || this.live) return false;
    return turn.state === 'back' || turn.currentTurn > 8;
  }

  /**
   * May an embedding of the frame taken at `takenAt` still be pushed? Not if it came from before
   * this attempt, or from before the face in view now (it left or jumped since: liveness.ts's
   * stretch), as can happen where the backbone runs beside the frames and answers later.
   */
  takesLate(takenAt: number): boolean {
    if (this.status !== 'looking' || takenAt < this.startedAt) return false;
    const since = this.liveness.stretchStart;
    return since !== null && takenAt >= since;
  }

  /** Any frame of this attempt in which a face was detected, good or not (frame() does this too). */
  faceSeen(now: number): void {
    if (this.status === 'looking' && this.faceSeenAt === null) this.faceSeenAt = now;
  }

  /** A frame failed the quality gate: it breaks the run of good frames. */
  skip(): void {
    if (this.status !== 'looking' || !this.decision) return;
    this.decision.push(null);
    this.runIds = [];
  }

  /** One good frame's embedding. */
  push(embedding: Float32Array): void {
    const decision = this.decision;
    if (this.status !== 'looking' || !decision) return;
    this.lastPushAt = this.now();
    this.framesSeen++;
    this.tracker?.scored();
    let candidate: Candidate | null;
    let score: number;
    if (this.target) {
      score = verifyScore(embedding, this.target);
      candidate = { id: this.target.id, name: this.target.name, score };
    } else {
      // identify()'s decision, ranks and scores, from one pass over the packed templates.
      const found = this.matrix.identify(embedding, decision.threshold);
      candidate = found.best ?? found.ranked[0] ?? null;
      // An ambiguous or below-threshold frame must not count toward a run.
      score = found.best
        ? found.best.score
        : Math.min(candidate?.score ?? -1, decision.threshold - 1e-6);
    }
    this.lastScore = score;
    // The run must be the same person throughout.
    if (
      candidate &&
      this.runIds.length > 0 &&
      this.runIds[this.runIds.length - 1] !== candidate.id
    ) {
      decision.push(null);
      this.runIds = [];
    }
    if (candidate) this.runIds.push(candidate.id);
    // The closest person over the attempt is the one a rejection names.
    if (candidate && (!this.bestCandidate || candidate.score > this.bestCandidate.score)) {
      this.bestCandidate = candidate;
    }
    const verdict = decision.push(score);
    if (verdict === 'accept' && candidate) {
      // The verdict sticks once reached; this frame must match too.
      if (this.live && score >= decision.threshold) {
        this.finish('accepted', candidate);
        return;
      }
      // Matched, but not yet alive: the match holds only while every frame still matches the
      // same person in the same stretch of face, and opens the moment the face shows life.
      const stillMatching =
        score >= decision.threshold &&
        (this.pending === null || this.pending.candidate.id === candidate.id);
      if (stillMatching) {
        this.pending = { candidate };
      } else {
        this.pending = null;
        decision.reset();
        this.runIds = [];
      }
    } else if (verdict === 'reject') this.finish('rejected', this.bestCandidate);
  }

  /** Looks at the clock: ends the attempt when it has run out of time. */
  tick(): void {
    const tracker = this.tracker;
    if (this.status !== 'looking' || !tracker) return;
    const now = this.now();
    if (!this.live && this.faceSeenAt !== null) {
      const waited = now - this.faceSeenAt;
      this.askForLife = waited >= LIVENESS_PROMPT_MS;
      // A requested turn is given its time to be answered, however late it was shown.
      const asked = this.turn?.askedSince ?? null;
      const answering = asked !== null && now - asked < TURN_ANSWER_MS && !this.turn!.failed;
      if (waited >= LIVENESS_LIMIT_MS && !answering) {
        // A face that was matched and never matched anyone is "not recognised", alive or not;
        // one that matched, or was never matched, is held by liveness, and the screen says so.
        const matchedSomeone =
          this.pending !== null ||
          (this.bestCandidate !== null &&
            this.bestCandidate.score >= (this.decision?.threshold ?? Infinity));
        if (this.framesSeen > 0 && !matchedSomeone) {
          this.finish('rejected', this.bestCandidate);
          return;
        }
        this.stopReason = 'not_live';
        this.finish('timed_out', null);
        return;
      }
    }
    const end = tracker.check(now);
    if (end === null) return;
    if (end.kind === 'rejected') {
      this.finish('rejected', this.bestCandidate);
    } else {
      this.stopReason = end.reason;
      this.finish('timed_out', null);
    }
  }

  /** The camera stopped by itself mid-attempt: the attempt ends, saying why (not a failure). */
  cameraStopped(message: string): void {
    if (this.status !== 'looking') return;
    this.stopReason = 'no_frames';
    this.stopMessage = message;
    this.finish('timed_out', null);
  }

  /**
   * After an accept: the vault could not be opened (an error, or OPEN_DEADLINE_MS passed). The
   * attempt ends as stopped, with `message`, so Try again is offered; it was no failure either.
   */
  openFailed(message: string): void {
    if (this.status !== 'accepted') return;
    this.stopReason = 'open_failed';
    this.stopMessage = message;
    this.status = 'timed_out';
  }

  cancel(): void {
    this.stopTimer();
    this.status = 'idle';
    this.decision = null;
    this.tracker = null;
    this.onEnd = null;
  }

  private finish(status: 'accepted' | 'rejected' | 'timed_out', candidate: Candidate | null): void {
    this.stopTimer();
    if (status !== 'timed_out' && this.faceSeenAt !== null) {
      this.decisionMs = this.now() - this.faceSeenAt;
    }
    this.result = candidate;
    if (status === 'rejected') {
      // Advice on light and pose only where someone asked to be a named person (1:1): an
      // identify attempt may be a stranger's, who is told nothing that helps a second try
      // (docs/SECURITY.md, "What a rejection says").
      this.hints = this.target ? rejectionHints(this.observations) : [];
      this.rejectTarget = this.target ? this.target.name : null;
    }
    this.status = status;
    this.decision = null;
    const onEnd = this.onEnd;
    this.onEnd = null;
    onEnd?.(this);
  }

  private stopTimer(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
