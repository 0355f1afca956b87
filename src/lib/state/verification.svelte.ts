import { FrameDecision, identify, verifyScore, type Candidate, type Enrolled } from '../math/match';

export type VerifyStatus = 'idle' | 'looking' | 'accepted' | 'rejected';

/**
 * One attempt to verify (1:1, `target` set) or identify (1:N) the person in front of the camera,
 * decided over several consecutive good frames (FrameDecision), never a single one.
 */
export class VerificationFlow {
  status = $state<VerifyStatus>('idle');
  /** The accepted person, or the closest one for the message after a rejection. */
  result = $state<Candidate | null>(null);
  lastScore = $state<number | null>(null);
  framesSeen = $state(0);
  mode = $state<'verify' | 'identify'>('identify');
  /** From the first frame of this attempt that showed a face to the decision (benchmarks, UI). */
  decisionMs = $state<number | null>(null);
  private faceSeenAt: number | null = null;
  private decision: FrameDecision | null = null;
  private runIds: string[] = [];
  private people: readonly Enrolled[] = [];
  private target: Enrolled | null = null;

  start(people: readonly Enrolled[], threshold: number, target: Enrolled | null = null): void {
    this.people = people;
    this.target = target;
    this.mode = target ? 'verify' : 'identify';
    this.faceSeenAt = null;
    this.decisionMs = null;
    this.decision = new FrameDecision({ threshold, need: 3, maxFrames: 20 });
    this.runIds = [];
    this.status = 'looking';
    this.result = null;
    this.lastScore = null;
    this.framesSeen = 0;
  }

  /** Any frame of this attempt in which a face was detected, good or not. */
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
    this.framesSeen++;
    let candidate: Candidate | null;
    let score: number;
    if (this.target) {
      score = verifyScore(embedding, this.target);
      candidate = { id: this.target.id, name: this.target.name, score };
    } else {
      const found = identify(embedding, this.people, decision.threshold);
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
    const verdict = decision.push(score);
    if (verdict !== 'pending' && this.faceSeenAt !== null) {
      this.decisionMs = performance.now() - this.faceSeenAt;
    }
    if (verdict === 'accept') {
      this.status = 'accepted';
      this.result = candidate;
    } else if (verdict === 'reject') {
      this.status = 'rejected';
      this.result = candidate;
    }
  }

  cancel(): void {
    this.status = 'idle';
    this.decision = null;
  }
}
