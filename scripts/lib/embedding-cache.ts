import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CropPixels } from '../../src/lib/embedding/preprocess.ts';
import type { Embedder } from '../../src/lib/embedding/embedder.ts';
import { ProgressBar } from './progress.ts';

/**
 * Unit embeddings of named crops, kept on disk per (model, variant) so re-running an evaluation
 * with another fine-tuning setting does not embed thousands of crops again.
 * File: `<path>.json` (the keys, in order) + `<path>.f32` (the rows).
 */
export async function cachedEmbeddings(
  embedder: Embedder,
  path: string,
  keys: readonly string[],
  load: (key: string) => CropPixels,
  label: string,
  batch = 16,
): Promise<Map<string, Float32Array>> {
  const dim = embedder.dim;
  const out = new Map<string, Float32Array>();
  if (existsSync(`${path}.json`) && existsSync(`${path}.f32`)) {
    const stored = JSON.parse(readFileSync(`${path}.json`, 'utf8')) as string[];
    const raw = readFileSync(`${path}.f32`);
    const rows = new Float32Array(
      raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength),
    );
    stored.forEach((k, i) => out.set(k, rows.slice(i * dim, (i + 1) * dim)));
  }
  const missing = keys.filter((k) => !out.has(k));
  if (missing.length > 0) {
    const bar = new ProgressBar(missing.length, label);
    for (let i = 0; i < missing.length; i += batch) {
      const chunk = missing.slice(i, i + batch);
      const rows = await embedder.embed(chunk.map(load));
      chunk.forEach((k, j) => {
        const r = rows[j];
        if (r) out.set(k, r);
      });
      bar.update(Math.min(i + batch, missing.length));
    }
    const all = [...out.keys()];
    const flat = new Float32Array(all.length * dim);
    all.forEach((k, i) => flat.set(out.get(k) ?? new Float32Array(dim), i * dim));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(`${path}.json`, JSON.stringify(all));
    writeFileSync(`${path}.f32`, new Uint8Array(flat.buffer));
  }
  return out;
}
