/** Messages between the app and the fine-tuning worker (finetune.worker.ts). */
import type { BackendName } from '../embedding/backend';
import type { Adapter } from './adapter';
import type { ScoreNorm } from '../math/score-norm';
import type { FinetuneConfig } from './config';
import type { GuardReport } from './guard';
import type { FinetuneProgress } from './progress';

export interface WorkerSample {
  embedding: Float32Array;
  crop?: { width: number; height: number; data: Uint8ClampedArray };
}

export type WorkerRequest =
  | {
      type: 'train';
      baseUrl: string;
      backend: BackendName;
      people: { id: string; samples: WorkerSample[] }[];
      threshold: number;
      config?: Partial<FinetuneConfig>;
    }
  | { type: 'probe'; baseUrl: string; backends: BackendName[] }
  /** A face attempt or an enrollment needs the cores: wait between steps until 'resume'. */
  | { type: 'hold' }
  | { type: 'resume' };

export interface BackendStepResult {
  backend: BackendName;
  ok: boolean;
  loss?: number;
  ms?: number;
  error?: string;
}

export type WorkerReply =
  | { type: 'progress'; progress: FinetuneProgress }
  | {
      type: 'done';
      adapter: Adapter | null;
      templates: Float32Array[];
      guard: GuardReport;
      norm: ScoreNorm | null;
      losses: number[];
      backend: string;
      seconds: number;
    }
  | { type: 'probe-done'; results: BackendStepResult[] }
  | { type: 'error'; message: string };
