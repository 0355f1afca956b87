/** How a fine-tune reports where it is, and how it stops when asked to. */
export type FinetunePhase = 'views' | 'train' | 'check';

export interface FinetuneProgress {
  phase: FinetunePhase;
  /** Overall fraction done, 0..1. */
  fraction: number;
  loss?: number;
  /** Estimated milliseconds left, once there is a rate to go by. */
  etaMs?: number;
}

export class FinetuneCancelled extends Error {
  override name = 'FinetuneCancelled';
  constructor() {
    super('Fine-tuning was cancelled.');
  }
}
