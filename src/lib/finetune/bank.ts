/**
 * The background bank shipped with the model: people from the training side of LFW (never from an
 * evaluation fold) that on-device fine-tuning contrasts the enrolled people against.
 *
 * - centres: one unit class centre per background person (the LMCL head's fixed class weights);
 * - samples: a few webcam-augmented embeddings per person, replayed during fine-tuning so the
 *   adapter keeps separating strangers while it pulls the enrolled people together;
 * - the last `validationClasses` people are never trained against on device: their samples play
 *   the strangers of the fine-tune's validation check.
 *
 * File layout (little-endian): float32 scale per vector (centres then samples), int8 centres,
 * int8 samples, uint16 sample labels. Vectors are stored as round(v / scale) with
 * scale = max|v| / 127; int8 keeps cosines within ~1e-3 at a quarter of float32's size.
 */
import type { BackgroundBankInfo } from '../embedding/manifest';

export interface BackgroundBank {
  dim: number;
  classes: number;
  /** classes x dim, unit rows. */
  centres: Float32Array;
  /** samples x dim, unit rows. */
  samples: Float32Array;
  labels: Uint16Array;
  validationClasses: number;
}

/** The dot product of `a` with the row of `b` that starts at `bOffset` (rows of a bank's arrays). */
export function dotAt(a: Float32Array, b: Float32Array, bOffset: number, dim: number): number {
  let s = 0;
  for (let j = 0; j < dim; j++) s += (a[j] ?? 0) * (b[bOffset + j] ?? 0);
  return s;
}

export function bankBytes(info: Omit<BackgroundBankInfo, 'file' | 'note'>): number {
  const vectors = info.classes + info.samples;
  return vectors * 4 + vectors * info.dim + info.samples * 2;
}

function normaliseRows(v: Float32Array, dim: number): void {
  for (let o = 0; o < v.length; o += dim) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += (v[o + j] ?? 0) ** 2;
    const n = Math.sqrt(s) || 1;
    for (let j = 0; j < dim; j++) v[o + j] = (v[o + j] ?? 0) / n;
  }
}

export function encodeBank(bank: BackgroundBank): Uint8Array {
  const { dim, classes } = bank;
  const samples = bank.labels.length;
  const out = new Uint8Array(bankBytes({ dim, classes, samples, validationClasses: 0 }));
  const view = new DataView(out.buffer);
  const vectors = classes + samples;
  const int8 = new Int8Array(out.buffer, vectors * 4, vectors * dim);
  const rows = (k: number) =>
    k < classes
      ? bank.centres.subarray(k * dim, (k + 1) * dim)
      : bank.samples.subarray((k - classes) * dim, (k - classes + 1) * dim);
  for (let k = 0; k < vectors; k++) {
    const v = rows(k);
    let max = 0;
    for (const x of v) max = Math.max(max, Math.abs(x));
    const scale = max / 127 || 1;
    view.setFloat32(k * 4, scale, true);
    for (let j = 0; j < dim; j++) int8[k * dim + j] = Math.round((v[j] ?? 0) / scale);
  }
  const labelOffset = vectors * 4 + vectors * dim;
  bank.labels.forEach((l, i) => view.setUint16(labelOffset + i * 2, l, true));
  return out;
}

export function decodeBank(info: BackgroundBankInfo, bytes: ArrayBuffer): BackgroundBank {
  const { dim, classes, samples } = info;
  if (bytes.byteLength !== bankBytes(info)) {
    throw new Error(`background bank has ${bytes.byteLength} bytes, expected ${bankBytes(info)}`);
  }
  const view = new DataView(bytes);
  const vectors = classes + samples;
  const int8 = new Int8Array(bytes, vectors * 4, vectors * dim);
  const centres = new Float32Array(classes * dim);
  const sampleRows = new Float32Array(samples * dim);
  for (let k = 0; k < vectors; k++) {
    const scale = view.getFloat32(k * 4, true);
    const target = k < classes ? centres : sampleRows;
    const base = (k < classes ? k : k - classes) * dim;
    for (let j = 0; j < dim; j++) target[base + j] = (int8[k * dim + j] ?? 0) * scale;
  }
  normaliseRows(centres, dim);
  normaliseRows(sampleRows, dim);
  const labels = new Uint16Array(samples);
  const labelOffset = vectors * 4 + vectors * dim;
  for (let i = 0; i < samples; i++) {
    const l = view.getUint16(labelOffset + i * 2, true);
    if (l >= classes) throw new Error(`background bank sample ${i} has label ${l} >= ${classes}`);
    labels[i] = l;
  }
  return {
    dim,
    classes,
    centres,
    samples: sampleRows,
    labels,
    validationClasses: info.validationClasses,
  };
}
