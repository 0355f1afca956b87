/** Embedding rows as the fine-tune handles them: lists of unit Float32Array rows. */

/** The unit-length mean of `rows` (a template). */
export function unitMean(rows: readonly Float32Array[], dim: number): Float32Array {
  const m = new Float32Array(dim);
  for (const r of rows) for (let j = 0; j < dim; j++) m[j] = (m[j] ?? 0) + (r[j] ?? 0);
  let s = 0;
  for (const x of m) s += x * x;
  const n = Math.sqrt(s) || 1;
  for (let j = 0; j < dim; j++) m[j] = (m[j] ?? 0) / n;
  return m;
}

/** Rows laid end to end, as a tensor's row-major values. */
export function stack(rows: readonly Float32Array[], dim: number): Float32Array {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => out.set(r, i * dim));
  return out;
}
