import type { Point } from '../lib/math/align';
import type { QualityReason } from '../lib/math/quality';

/** What scripts send to, and get back from, the batch page (plain JSON across Playwright). */
export interface BatchOptions {
  maxDetectSide: number;
  /** A second landmark pass in the region of the first mesh (AnalyzeOptions.refine). */
  refine: boolean;
  /** Overrides the landmark model's face-presence floor (for studying it; the app uses the default). */
  minMeshScore?: number;
}

export type BatchFailure = 'read_failed' | 'decode_failed' | 'no_face';

export interface BatchItemResult {
  url: string;
  failure?: BatchFailure;
  detail?: string;
  width?: number;
  height?: number;
  /** Raw detections above the detector's floor score. */
  faces?: number;
  score?: number;
  box?: number[];
  /** The five points the crop was aligned on (mesh eye centres, nose tip, mouth corners). */
  keypoints?: Point[];
  /** The landmark model's face-presence score. */
  meshScore?: number;
  /** Head pose from the mesh, degrees (src/lib/math/head-pose.ts conventions). */
  pose?: { yaw: number; pitch: number; roll: number };
  landmarkMs?: number;
  quality?: QualityReason[];
  detectMs?: number;
  alignMs?: number;
  /** The aligned 112x112 crop as base64 PNG. */
  png?: string;
}

export interface ContactSheetRequest {
  pngs: string[];
  columns: number;
  guides: boolean;
}

export interface BatchApi {
  process(urls: string[], options: BatchOptions): Promise<BatchItemResult[]>;
  contactSheet(request: ContactSheetRequest): Promise<string>;
  present(request: PresentationRequest): Promise<PresentedFrameResult[]>;
  benchEmbed(
    backend: 'webgpu' | 'webgl' | 'wasm' | 'cpu',
    runs: number,
  ): Promise<{ ms: number[]; backend: string }>;
}

declare global {
  interface Window {
    facegateBatch?: BatchApi;
  }
}

/** Screen-like distortions of one presented frame (attack type `screen`). */
export interface ScreenEffects {
  /** Output = 255 * (input / 255) ^ gamma. */
  gamma?: number;
  /** A sinusoidal grating multiplied in: cycles per pixel along x and y, phase (rad), depth 0..1. */
  moire?: { fx: number; fy: number; phase: number; depth: number };
  /** A bright additive blob: centre and radius in output pixels, strength 0..1. */
  glare?: { x: number; y: number; radius: number; strength: number };
}

/** One frame of a presentation: which source image, where it lands, and what is done to it. */
export interface PresentedFrameSpec {
  source: number;
  /** Output pixels -> source pixels (row-major 3x3), so the page samples the source directly. */
  toSource: readonly number[];
  effects?: ScreenEffects;
  /** Uniform sensor noise amplitude, grey levels (a camera never sees the same picture twice). */
  noise: number;
}

/**
 * A sequence of frames shown to the front end as a camera would show them: photos (attacks) or a
 * real video's frames (genuine, identity `toSource`). The mesh tracks from frame to frame as in
 * the app.
 */
export interface PresentationRequest {
  sources: string[];
  width: number;
  height: number;
  frames: PresentedFrameSpec[];
  /** Mesh indices whose points come back (all 468 would be ~6 kB a frame). */
  keep: number[];
}

export interface PresentedFrameResult {
  /** The kept mesh points, flattened x, y, z (source pixels of the output frame); null: no mesh. */
  points: number[] | null;
  meshScore: number;
  faces: number;
  quality: QualityReason[];
  pose: { yaw: number; pitch: number; roll: number } | null;
}
