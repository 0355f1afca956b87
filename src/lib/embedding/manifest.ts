import type { GraphSpec } from './graph';
import type { WeightEntry } from './weights';

/** models/manifest.json: everything the app and the scripts must agree on about the backbone. */
export interface ModelManifest {
  /** Changes whenever the weights change; stored with every embedding so old ones are never mixed in. */
  id: string;
  format: 'facegate-graph-1';
  files: { path: string; bytes: number; sha256: string }[];
  graph: string;
  weights: string;
  input: {
    size: number;
    colorOrder: 'RGB' | 'BGR';
    /** value = (pixel - mean) / std */
    mean: number;
    std: number;
    alignment: string;
  };
  embedding: { dim: number; normalized: true; flipAugment: boolean };
  loss: { type: string; s: number; m: number; note?: string };
  training: Record<string, unknown>;
  accuracy: Record<string, unknown>;
  /** Cosine similarity thresholds for a target false-accept rate. */
  thresholds: { 'far_1e-3': number; 'far_1e-4': number; 'far_1e-5': number; note?: string };
  source: { package: string; file: string; licence: string; sha256: string };
  /** The fine-tuning background bank (scripts/make-background-bank.ts); absent: no fine-tuning. */
  background?: BackgroundBankInfo;
}

/**
 * The manifest's entry for the fine-tuning background bank (layout and decoding: finetune/bank.ts).
 * The last `validationClasses` classes are never trained against on device.
 */
export interface BackgroundBankInfo {
  file: string;
  dim: number;
  classes: number;
  samples: number;
  validationClasses: number;
  note?: string;
}

/** graph.json: the op list and where each weight lies in the binary. */
export interface GraphFile {
  spec: GraphSpec;
  weights: WeightEntry[];
}

export class ModelFileError extends Error {
  override name = 'ModelFileError';
}

export async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Refuses a model file whose size or hash differs from the manifest: damaged or tampered. */
export async function verifyFile(
  manifest: ModelManifest,
  path: string,
  bytes: ArrayBuffer,
): Promise<void> {
  const entry = manifest.files.find((f) => f.path === path);
  if (!entry) throw new ModelFileError(`The model manifest does not list ${path}.`);
  if (bytes.byteLength !== entry.bytes) {
    throw new ModelFileError(
      `The face model file ${path} is damaged (${bytes.byteLength} bytes, expected ${entry.bytes}). Reload the page to fetch it again.`,
    );
  }
  const hash = await sha256Hex(bytes);
  if (hash !== entry.sha256) {
    throw new ModelFileError(
      `The face model file ${path} is damaged or was altered (its checksum does not match). Reload the page to fetch it again.`,
    );
  }
}
