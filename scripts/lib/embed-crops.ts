import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Embedder } from '../../src/lib/embedding/embedder.ts';
import type { CropRecord } from '../prepare-dataset.ts';
import { decodePng } from './png.ts';
import { ProgressBar } from './progress.ts';

export function loadCrop(cropRoot: string, record: CropRecord) {
  if (!record.crop) throw new Error(`${record.file} has no crop`);
  const png = decodePng(readFileSync(join(cropRoot, record.crop)), record.crop);
  return { data: png.rgba, width: png.width, height: png.height };
}

/** Embeds every record that has a crop; returns file -> unit embedding. */
export async function embedRecords(
  embedder: Embedder,
  cropRoot: string,
  records: readonly CropRecord[],
  batch = 16,
): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  const withCrop = records.filter((r) => r.crop);
  const bar = new ProgressBar(withCrop.length, 'embedding');
  for (let i = 0; i < withCrop.length; i += batch) {
    const chunk = withCrop.slice(i, i + batch);
    const embeddings = await embedder.embed(chunk.map((r) => loadCrop(cropRoot, r)));
    chunk.forEach((r, k) => {
      const e = embeddings[k];
      if (e) out.set(r.file, e);
    });
    bar.update(Math.min(i + batch, withCrop.length));
  }
  return out;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] ?? 0) * (b[i] ?? 0);
  return s;
}
