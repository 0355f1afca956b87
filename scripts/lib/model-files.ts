import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GraphFile, ModelManifest } from '../../src/lib/embedding/manifest.ts';
import type { GraphSpec } from '../../src/lib/embedding/graph.ts';
import { parseManifest } from '../../src/lib/embedding/manifest-parse.ts';
import { encodeWeights } from '../../src/lib/embedding/weights.ts';
import type { NamedArray } from './onnx-to-graph.ts';

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export type ManifestBody = Omit<ModelManifest, 'files' | 'graph' | 'weights' | 'format'>;

/** Writes graph.json + weights.bin + manifest.json (with sizes and sha256) into `dir`. */
export function writeModel(
  dir: string,
  spec: GraphSpec,
  weights: NamedArray[],
  dtype: 'float16' | 'float32',
  body: ManifestBody,
): ModelManifest {
  mkdirSync(dir, { recursive: true });
  const { entries, binary } = encodeWeights(weights, dtype);
  const graph: GraphFile = { spec, weights: entries };
  const graphBytes = new TextEncoder().encode(JSON.stringify(graph));
  writeFileSync(join(dir, 'graph.json'), graphBytes);
  writeFileSync(join(dir, 'weights.bin'), binary);
  const manifest: ModelManifest = {
    ...body,
    format: 'facegate-graph-1',
    graph: 'graph.json',
    weights: 'weights.bin',
    files: [
      { path: 'graph.json', bytes: graphBytes.length, sha256: sha256(graphBytes) },
      { path: 'weights.bin', bytes: binary.length, sha256: sha256(binary) },
    ],
  };
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** `dir`/manifest.json, validated field by field (manifest-parse.ts). */
export function readManifest(dir: string): ModelManifest {
  return parseManifest(readFileSync(join(dir, 'manifest.json'), 'utf8'));
}

/** A FetchBytes for Embedder.load that reads the model folder from disk. */
export const fileFetcher = (dir: string) => (path: string) => {
  const b = readFileSync(join(dir, path));
  return Promise.resolve(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};
