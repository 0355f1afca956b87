/**
 * The personal adapter that on-device fine-tuning learns: a low-rank residual map on the
 * backbone's unit embedding, z = normalise(e + (e·A)·B). With B = 0 it is the identity, so an
 * untrained adapter is exactly the shipped model, and matching code never needs two paths.
 *
 * Why an adapter on the embedding (not the last block): it trains on embeddings, so each augmented
 * view costs one frozen forward pass and each step is a few small matrix products (fast enough on
 * wasm/cpu); samples imported without pictures still take part; and dropping it restores the base
 * model exactly. Low rank keeps it from memorising 5 photos (a full 512x512 map has 262k weights).
 *
 * Pure TypeScript (no tfjs, no DOM): the app applies it to every probe and template.
 */
import { dot } from '../math/match';

export interface Adapter {
  dim: number;
  rank: number;
  /** dim x rank, row-major. */
  a: Float32Array;
  /** rank x dim, row-major. */
  b: Float32Array;
}

export function adapterProblem(value: unknown, dim: number): string | null {
  if (typeof value !== 'object' || value === null) return 'is not an object';
  const v = value as Partial<Adapter>;
  if (v.dim !== dim) return `is for ${String(v.dim)}-d embeddings, not ${dim}`;
  if (!Number.isInteger(v.rank) || (v.rank ?? 0) < 1) return 'has no valid rank';
  const rank = v.rank ?? 0;
  if (!(v.a instanceof Float32Array) || v.a.length !== dim * rank) return 'has a damaged A matrix';
  if (!(v.b instanceof Float32Array) || v.b.length !== rank * dim) return 'has a damaged B matrix';
  for (const x of v.a) if (!Number.isFinite(x)) return 'has a value that is not finite';
  for (const x of v.b) if (!Number.isFinite(x)) return 'has a value that is not finite';
  return null;
}

/** The adapted, unit-length embedding. */
export function adaptEmbedding(adapter: Adapter, e: Float32Array): Float32Array {
  const { dim, rank, a, b } = adapter;
  if (e.length !== dim) throw new Error(`embedding has ${e.length} values, adapter expects ${dim}`);
  const h = new Float64Array(rank);
  for (let i = 0; i < dim; i++) {
    const ei = e[i] ?? 0;
    if (ei === 0) continue;
    const row = i * rank;
    for (let r = 0; r < rank; r++) h[r] = (h[r] ?? 0) + ei * (a[row + r] ?? 0);
  }
  const z = new Float32Array(dim);
  for (let j = 0; j < dim; j++) z[j] = e[j] ?? 0;
  for (let r = 0; r < rank; r++) {
    const hr = h[r] ?? 0;
    const row = r * dim;
    for (let j = 0; j < dim; j++) z[j] = (z[j] ?? 0) + hr * (b[row + j] ?? 0);
  }
  const n = Math.sqrt(dot(z, z));
  if (n > 0) for (let j = 0; j < dim; j++) z[j] = (z[j] ?? 0) / n;
  return z;
}
