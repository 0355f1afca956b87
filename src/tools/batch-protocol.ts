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
