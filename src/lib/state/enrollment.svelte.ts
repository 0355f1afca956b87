import {
  ENROLL_STEPS,
  enrollmentGuidance,
  poseInTarget,
  type EnrollGuidance,
  type EnrollStep,
} from '../decisions/enroll-guidance';
import type { HeadPose } from '../math/head-pose';
import { duplicateOf, template, type Enrolled } from '../math/match';
import type { QualityResult } from '../math/quality';
import type { StoredCrop } from '../store/schema';
import { LIVENESS_LIMIT_MS, LivenessCheck, type MeshPoints } from '../decisions/liveness';

/** The guided views, in order; each needs one frame that shows it and passes the quality gate. */
export { ENROLL_STEPS };

/** Samples closer in time than this add little: the face has not moved. */
const MIN_SAMPLE_GAP_MS = 400;

export type EnrollStatus = 'capturing' | 'naming' | 'saving' | 'done';

/** Collects the samples of one enrollment; the screen feeds it embeddings of good frames. */
export class EnrollmentFlow {
  status = $state<EnrollStatus>('capturing');
  samples = $state.raw<Float32Array[]>([]);
  thumbnails = $state.raw<Blob[]>([]);
  /** The aligned crop of each sample, kept for on-device fine-tuning. */
  crops = $state.raw<StoredCrop[]>([]);
  /** The head pose of each sample (degrees, head-pose.ts), one per sample: the views differ. */
  poses = $state.raw<HeadPose[]>([]);
  /** Set when the captured face is already enrolled under another name. */
  duplicate = $state<{ id: string; name: string; score: number } | null>(null);
  private lastSampleAt = 0;
  private liveness = new LivenessCheck();
  /** The face in view has shown itself alive in this stretch (liveness.ts); samples wait for it. */
  live = $state(false);
  /** A face has been in view this long without a sign of life (ms); 0 when live or no face. */
  unliveMs = $state(0);

  readonly steps = ENROLL_STEPS.length;
  step = $derived(Math.min(this.samples.length, ENROLL_STEPS.length - 1));
  current = $derived<EnrollStep>(ENROLL_STEPS[this.step] ?? ENROLL_STEPS[0]!);
  progress = $derived(this.samples.length / ENROLL_STEPS.length);
  /** The straight sample's pose: the turns and the nod are measured from it. */
  straightPose = $derived<HeadPose | null>(this.poses[0] ?? null);

  /** What holds this frame for the current view (enroll-guidance.ts; worded by ui/text/enroll.ts). */
  guide(quality: Pick<QualityResult, 'reasons' | 'pose'> | null, detections = 0): EnrollGuidance {
    const guidance = enrollmentGuidance(this.current, quality, this.straightPose, detections);
    if (!guidance.ready || this.live) return guidance;
    return {
      ready: false,
      say: this.unliveMs >= LIVENESS_LIMIT_MS ? 'not_live' : 'liveness_ask',
      reasons: [],
      hint: null,
    };
  }

  /**
   * Every camera frame during capture, usable or not: the liveness check follows the face until it
   * shows itself alive (starting over when the face leaves or jumps, so a photo swapped in before
   * that must prove itself). A live face shown once covers the whole enrollment: the views after
   * it are taken as soon as they are reached, without a new sign of life each (a turn held still,
   * or a face lost for a moment while it turns, asked for one again: issue 24). Starting over
   * (restart) asks again.
   */
  observe(now: number, points: MeshPoints | null): void {
    if (this.status !== 'capturing' || this.live) return;
    this.liveness.push(now, points);
    this.live = this.liveness.live;
    const since = this.liveness.stretchStart;
    this.unliveMs = this.live || since === null ? 0 : now - since;
  }

  /** Is a frame with this verdict worth embedding now? (It would be kept by offer.) */
  wants(quality: Pick<QualityResult, 'reasons' | 'pose'>, now: number): boolean {
    return (
      this.status === 'capturing' &&
      now - this.lastSampleAt >= MIN_SAMPLE_GAP_MS &&
      this.live &&
      this.guide(quality).ready
    );
  }

  /**
   * Offers one good frame's embedding with its head pose; kept (true) only when the pose shows
   * the current view (the views after the first measured from the straight sample's pose).
   */
  offer(
    embedding: Float32Array,
    pose: HeadPose | null,
    now: number,
    extras: { thumbnail?: Blob | null; crop?: StoredCrop | null } = {},
  ): boolean {
    if (this.status !== 'capturing' || !this.live || now - this.lastSampleAt < MIN_SAMPLE_GAP_MS) {
      return false;
    }
    if (pose === null || !poseInTarget(this.current, pose, this.straightPose)) return false;
    this.lastSampleAt = now;
    this.samples = [...this.samples, embedding];
    this.poses = [...this.poses, { ...pose }];
    if (extras.crop) this.crops = [...this.crops, extras.crop];
    if (extras.thumbnail) this.thumbnails = [...this.thumbnails, extras.thumbnail];
    return true;
  }

  /** After the last sample: is this face somebody already enrolled (other than `except`)? */
  finishCapture(people: readonly Enrolled[], threshold: number, except?: string): void {
    if (this.samples.length < ENROLL_STEPS.length) return;
    const others = people.filter((p) => p.id !== except);
    this.duplicate = duplicateOf(this.samples, others, threshold);
    this.status = 'naming';
  }

  template(): Float32Array {
    return template(this.samples);
  }

  restart(): void {
    this.status = 'capturing';
    this.samples = [];
    this.thumbnails = [];
    this.crops = [];
    this.poses = [];
    this.duplicate = null;
    this.lastSampleAt = 0;
    this.liveness = new LivenessCheck();
    this.live = false;
    this.unliveMs = 0;
  }
}
