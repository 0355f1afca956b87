import { duplicateOf, template, type Enrolled } from '../math/match';
import type { StoredCrop } from '../store/schema';

/** The guided poses, in order; each needs one frame that passes the quality gate. */
export const ENROLL_STEPS = [
  'Look straight at the camera',
  'Turn your head slightly to the left',
  'Turn your head slightly to the right',
  'Tilt your chin up a little',
  'Tilt your chin down a little',
] as const;

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
  /** Set when the captured face is already enrolled under another name. */
  duplicate = $state<{ id: string; name: string; score: number } | null>(null);
  private lastSampleAt = 0;

  readonly steps = ENROLL_STEPS.length;
  step = $derived(Math.min(this.samples.length, ENROLL_STEPS.length - 1));
  prompt = $derived(ENROLL_STEPS[this.step] ?? '');
  progress = $derived(this.samples.length / ENROLL_STEPS.length);

  /** Offers one good frame's embedding; returns true if it was kept. */
  offer(
    embedding: Float32Array,
    thumbnail: Blob | null,
    now: number,
    crop: StoredCrop | null = null,
  ): boolean {
    if (this.status !== 'capturing' || now - this.lastSampleAt < MIN_SAMPLE_GAP_MS) return false;
    this.lastSampleAt = now;
    this.samples = [...this.samples, embedding];
    if (crop) this.crops = [...this.crops, crop];
    if (thumbnail) this.thumbnails = [...this.thumbnails, thumbnail];
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
    this.duplicate = null;
    this.lastSampleAt = 0;
  }
}
