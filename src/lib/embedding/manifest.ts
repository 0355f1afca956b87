import type { GraphSpec } from './graph';
import { parseManifest } from './manifest-parse';
import {
  checkFileBytes,
  fetchModelFile,
  ModelFileError,
  type ExpectedFile,
  type ModelFetchOptions,
} from './model-fetch';
import type { WeightEntry } from './weights';

// Re-exported for the modules that have always taken them from here (embedder, face engine,
// landmarker); new code can import them from model-fetch.ts.
export { ModelFileError, sha256Hex } from './model-fetch';

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

/** The manifest's entry for `path`; a path it does not list is refused. */
export function manifestEntry(manifest: ModelManifest, path: string): ExpectedFile {
  const entry = manifest.files.find((f) => f.path === path);
  if (!entry) throw new ModelFileError(`The model manifest does not list ${path}.`);
  return entry;
}

/** Refuses a model file whose size or hash differs from the manifest: damaged or tampered. */
export async function verifyFile(
  manifest: ModelManifest,
  path: string,
  bytes: ArrayBuffer,
): Promise<void> {
  await checkFileBytes(bytes, manifestEntry(manifest, path));
}

/** `modelsUrl`/manifest.json, fetched and validated field by field (manifest-parse.ts). */
export async function fetchManifest(
  modelsUrl: string | URL,
  options: ModelFetchOptions = {},
): Promise<ModelManifest> {
  const bytes = await fetchModelFile(new URL('manifest.json', modelsUrl).href, null, options);
  return parseManifest(new TextDecoder().decode(bytes));
}

/** A file the manifest lists, fetched from `modelsUrl` and checked against its entry. */
export async function fetchListedFile(
  modelsUrl: string | URL,
  manifest: ModelManifest,
  path: string,
  options: ModelFetchOptions = {},
): Promise<ArrayBuffer> {
  return fetchModelFile(new URL(path, modelsUrl).href, manifestEntry(manifest, path), options);
}
