import type { BackendName, ProbeResult } from '../embedding/backend';
import type { ModelManifest } from '../embedding/manifest';
import type { FrameAnalysis } from '../vision/frame-analysis';

/**
 * Messages between the page and the frame-pipeline worker (pipeline.worker.ts). The page only
 * draws; detection, the face mesh, alignment, the quality gate and the embedding all run in the
 * worker, one frame at a time.
 */

/** A probe's outcome remembered per device, browser and model (backend-choice.ts). */
export interface BackendChoice {
  /** Which device, browser and model the choice was measured for. */
  key: string;
  backend: BackendName;
  probes: ProbeResult[];
  /** When it was measured (ms since the epoch). */
  at: number;
}

export type PipelineRequest =
  | {
      type: 'init';
      /** The app's base URL (models, wasm and the detector are served by the app itself). */
      baseUrl: string;
      /** `?backend=` in the page's address: skips the probe. */
      forced: BackendName | null;
      /**
       * The last probe's result as the page stored it (checked in the worker, which knows the
       * model and the device): used instead of probing when its key still matches.
       */
      remembered: unknown;
    }
  | {
      type: 'frame';
      id: number;
      /** Transferred, never copied; the worker closes it. */
      frame: ImageBitmap;
      /**
       * Embed this frame if it passes the quality gate: the crop and its mirror image in one
       * batch, as templates are made (false: no flow wants it, e.g. the camera check).
       */
      embed: boolean;
      /** Follow the face from the previous frame's mesh (false after a camera or flow change). */
      track: boolean;
    }
  /** Settings' "measure again": probe every backend now and remember the result. */
  | { type: 'reprobe' };

export type LoadStage = 'download' | 'start' | 'probe';

/** A frame's result as the worker sends it: the crop's pixels are transferred with it. */
export interface FrameResult {
  id: number;
  analysis: FrameAnalysis;
  /** Unit length; null when not asked for or the frame failed the quality gate. */
  embedding: Float32Array | null;
  /** Milliseconds spent in the worker on this frame, by step. */
  timings: FrameTimings;
}

export interface FrameTimings {
  detectMs: number;
  landmarkMs: number;
  alignMs: number;
  embedMs: number;
  /** Whole frame inside the worker, from receiving the bitmap to posting the answer. */
  workerMs: number;
}

export type PipelineReply =
  | {
      type: 'progress';
      stage: LoadStage;
      /** 0..1 of the whole load. */
      fraction: number;
      detail: string;
    }
  | {
      type: 'ready';
      manifest: ModelManifest;
      backend: BackendName;
      probes: ProbeResult[];
      /** The probe that chose the backend, to remember (null: forced, nothing to remember). */
      choice: BackendChoice | null;
      /** Whether the remembered choice was used instead of probing. */
      remembered: boolean;
      threads: number;
    }
  | { type: 'frame'; result: FrameResult }
  /** The frame was not analysed (the models are still loading, or it failed). */
  | { type: 'skipped'; id: number; error: string | null }
  | { type: 'load-error'; message: string }
  /** The GPU behind the backend went away; the worker moved to `now` and carries on. */
  | { type: 'backend-lost'; lost: BackendName; now: BackendName }
  | { type: 'backend-failed'; lost: BackendName; message: string };
