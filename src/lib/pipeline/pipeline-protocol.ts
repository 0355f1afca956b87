import type { BackendName, ProbeResult } from '../embedding/backend';
import type { ModelManifest } from '../embedding/manifest';
import type { FrameAnalysis } from '../vision/frame-analysis';

/**
 * Messages between the page and the frame-pipeline worker (pipeline.worker.ts). The page only
 * draws; detection, the face mesh, alignment, the quality gate and the embedding all run in the
 * worker, one frame at a time.
 *
 * Analysing and embedding are two requests: every camera frame is analysed ('frame': detection,
 * mesh, alignment, quality), and the page then asks for the backbone ('embed') only on the frames
 * a decision needs (decisions/embed-policy.ts). The worker keeps the last analysed frame's crop
 * for that. Where a second core is free, a second worker of the same code ('embed' role) runs the
 * backbone on crops the page sends it ('embed-crop'), so that the frames keep the camera's rate
 * while a crop is embedded (issue 23: one backbone pass held the one worker for several frames).
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
      /**
       * 'frames' (the default): every camera frame, and the backbone when no embedder runs
       * beside it. 'embed': the backbone alone, on crops the page sends ('embed-crop'), in a
       * second worker so the frames go on at the camera's rate meanwhile.
       */
      role?: 'frames' | 'embed';
    }
  | {
      type: 'frame';
      id: number;
      /** Transferred, never copied; the worker closes it. */
      frame: ImageBitmap;
      /** Follow the face from the previous frame's mesh (false after a camera or flow change). */
      track: boolean;
    }
  /**
   * Embed the frame `id` just analysed (the last 'frame'), if it passed the quality gate: the crop
   * and its mirror image in one batch, as templates are made. Answered by 'embedded'.
   */
  | { type: 'embed'; id: number }
  /** The embedder worker: embed this crop (frame `id`'s, copied). Answered by 'embedded'. */
  | { type: 'embed-crop'; id: number; crop: ImageData }
  /** Settings' "measure again": probe every backend now and remember the result. */
  | { type: 'reprobe' };

export type LoadStage = 'download' | 'start' | 'probe';

/** A frame's analysis as the worker sends it (the crop's pixels are copied with it). */
export interface FrameResult {
  id: number;
  analysis: FrameAnalysis;
  /** Milliseconds spent in the worker on this frame, by step (embedMs 0: not embedded here). */
  timings: FrameTimings;
}

/** The answer to 'embed'. */
export interface EmbedResult {
  id: number;
  /** Unit length; null when the frame failed the quality gate or is no longer the last one. */
  embedding: Float32Array | null;
  /** The backbone's time, and the whole request's inside the worker. */
  embedMs: number;
  workerMs: number;
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
  | { type: 'embedded'; result: EmbedResult }
  /** The frame was not analysed (the models are still loading, or it failed). */
  | { type: 'skipped'; id: number; error: string | null }
  | { type: 'load-error'; message: string }
  /** The GPU behind the backend went away; the worker moved to `now` and carries on. */
  | { type: 'backend-lost'; lost: BackendName; now: BackendName }
  | { type: 'backend-failed'; lost: BackendName; message: string };
