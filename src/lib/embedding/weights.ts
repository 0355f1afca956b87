/**
 * Weight files: one binary of little-endian float16 or float32 arrays, described by a JSON list.
 * float16 halves the download and the precache; the accuracy cost is measured in docs/.
 */
export interface WeightEntry {
  name: string;
  shape: number[];
  dtype: 'float16' | 'float32';
  /** Byte offset in the binary. */
  offset: number;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function byteLength(entry: WeightEntry): number {
  return elementCount(entry.shape) * (entry.dtype === 'float16' ? 2 : 4);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Round-to-nearest float32 -> float16 bits (the classic table-free conversion). */
export function float32ToFloat16(value: number): number {
  f32[0] = value;
  const x = u32[0] ?? 0;
  let bits = (x >>> 16) & 0x8000;
  let m = (x >>> 12) & 0x07ff;
  const e = (x >>> 23) & 0xff;
  if (e < 102) return bits;
  // [2^-25, 2^-24): rounds up to the smallest subnormal unless exactly halfway (ties to even, 0).
  if (e === 102) return bits | ((x & 0x007fffff) !== 0 ? 1 : 0);
  if (e > 142) {
    bits |= 0x7c00;
    bits |= e === 255 && x & 0x007fffff ? 1 : 0;
    return bits;
  }
  if (e < 113) {
    m |= 0x0800;
    return bits | ((m >>> (114 - e)) + ((m >>> (113 - e)) & 1));
  }
  bits |= ((e - 112) << 10) | (m >>> 1);
  return bits + (m & 1);
}

export function float16ToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (mant / 1024);
  if (exp === 0x1f) return mant ? Number.NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + mant / 1024);
}

export function decodeWeights(
  entries: readonly WeightEntry[],
  binary: ArrayBuffer,
): Map<string, { shape: number[]; values: Float32Array }> {
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  const view = new DataView(binary);
  for (const entry of entries) {
    const n = elementCount(entry.shape);
    if (entry.offset + byteLength(entry) > binary.byteLength) {
      throw new Error(`weights file too short for "${entry.name}": damaged download?`);
    }
    const values = new Float32Array(n);
    if (entry.dtype === 'float16') {
      for (let i = 0; i < n; i++)
        values[i] = float16ToFloat32(view.getUint16(entry.offset + 2 * i, true));
    } else {
      for (let i = 0; i < n; i++) values[i] = view.getFloat32(entry.offset + 4 * i, true);
    }
    out.set(entry.name, { shape: entry.shape, values });
  }
  return out;
}

export function encodeWeights(
  tensors: readonly { name: string; shape: number[]; values: Float32Array }[],
  dtype: 'float16' | 'float32',
): { entries: WeightEntry[]; binary: Uint8Array } {
  const entries: WeightEntry[] = [];
  let offset = 0;
  for (const t of tensors) {
    const entry: WeightEntry = { name: t.name, shape: t.shape, dtype, offset };
    entries.push(entry);
    offset += byteLength(entry);
    offset = (offset + 3) & ~3;
  }
  const binary = new Uint8Array(offset);
  const view = new DataView(binary.buffer);
  tensors.forEach((t, k) => {
    const entry = entries[k];
    if (!entry) return;
    t.values.forEach((v, i) => {
      if (dtype === 'float16') view.setUint16(entry.offset + 2 * i, float32ToFloat16(v), true);
      else view.setFloat32(entry.offset + 4 * i, v, true);
    });
  });
  return { entries, binary };
}
