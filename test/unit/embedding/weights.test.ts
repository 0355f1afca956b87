import { describe, expect, it } from 'vitest';
import {
  byteLength,
  decodeWeights,
  elementCount,
  encodeWeights,
  float16ToFloat32,
  float32ToFloat16,
  type WeightEntry,
} from '../../../src/lib/embedding/weights';
import { seededRandom as prng } from '../../../src/lib/math/seeded-random';

/** Box-Muller normal with the given seeded uniform source. */
function normal(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

const half = (v: number) => float16ToFloat32(float32ToFloat16(v));

describe('float16 conversion', () => {
  it('is exact for values representable in half precision', () => {
    const exact = [0, 1, -2, 0.5, 65504, -65504, 2 ** -14, 2 ** -24, 3 * 2 ** -24, 1023 * 2 ** -24];
    for (const v of exact) expect(half(v)).toBe(v);
    expect(Object.is(half(-0), -0)).toBe(true);
    expect(Object.is(half(0), 0)).toBe(true);
  });

  it('produces the standard IEEE half bit patterns', () => {
    expect(float32ToFloat16(0)).toBe(0x0000);
    expect(float32ToFloat16(-0)).toBe(0x8000);
    expect(float32ToFloat16(1)).toBe(0x3c00);
    expect(float32ToFloat16(-2)).toBe(0xc000);
    expect(float32ToFloat16(0.5)).toBe(0x3800);
    expect(float32ToFloat16(65504)).toBe(0x7bff);
    expect(float32ToFloat16(2 ** -14)).toBe(0x0400);
    expect(float32ToFloat16(2 ** -24)).toBe(0x0001);
    expect(float32ToFloat16(Infinity)).toBe(0x7c00);
    expect(float32ToFloat16(-Infinity)).toBe(0xfc00);
  });

  it('decodes every finite half back to a value that re-encodes to the same bits', () => {
    const mismatches: number[] = [];
    for (let h = 0; h < 0x10000; h++) {
      if (((h >>> 10) & 0x1f) === 0x1f) continue; // Inf / NaN
      if (float32ToFloat16(float16ToFloat32(h)) !== h) mismatches.push(h);
    }
    expect(mismatches).toEqual([]);
  });

  it('keeps the relative error within 2^-11 for random normal values in [-100, 100]', () => {
    const rand = prng(1234);
    let checked = 0;
    while (checked < 5000) {
      const v = Math.fround(normal(rand) * 30);
      if (Math.abs(v) > 100 || Math.abs(v) < 2 ** -14) continue; // normal range only
      const err = Math.abs(half(v) - v) / Math.abs(v);
      expect(err).toBeLessThanOrEqual(2 ** -11);
      checked++;
    }
  });

  it('rounds to nearest (not truncation)', () => {
    // 1 + 2^-10 is the next half after 1; 1 + 0.75 * 2^-10 must round up, 1 + 0.25 * 2^-10 down.
    expect(half(1 + 0.75 * 2 ** -10)).toBe(1 + 2 ** -10);
    expect(half(1 + 0.25 * 2 ** -10)).toBe(1);
  });

  it('overflows to signed Infinity', () => {
    expect(half(65536)).toBe(Infinity);
    expect(half(1e6)).toBe(Infinity);
    expect(half(-1e6)).toBe(-Infinity);
    expect(half(3.4e38)).toBe(Infinity);
    expect(half(Infinity)).toBe(Infinity);
    expect(half(-Infinity)).toBe(-Infinity);
    // 65519 is below the halfway point to 65536: stays the largest finite half.
    expect(half(65519)).toBe(65504);
  });

  it('keeps NaN as NaN', () => {
    expect(Number.isNaN(half(Number.NaN))).toBe(true);
    const bits = float32ToFloat16(Number.NaN);
    expect(bits & 0x7c00).toBe(0x7c00);
    expect(bits & 0x03ff).not.toBe(0);
  });

  it('flushes values far below the smallest subnormal to signed zero', () => {
    expect(half(1e-10)).toBe(0);
    expect(Object.is(half(-1e-10), -0)).toBe(true);
  });

  // Regression: values were once accumulated in a way that lost these.
  it('rounds values just below the smallest subnormal up to 2^-24', () => {
    expect(half(0.75 * 2 ** -24)).toBe(2 ** -24);
  });
});

describe('encodeWeights / decodeWeights', () => {
  const rand = prng(42);
  const tensors = [
    { name: 'a', shape: [3], values: Float32Array.from([1.5, -2.25, 1e-3]) },
    // odd element counts force padding for float16 (2 * 5 = 10 bytes -> 12).
    { name: 'b', shape: [5], values: Float32Array.from({ length: 5 }, () => normal(rand) * 10) },
    { name: 'c', shape: [2, 3, 1], values: Float32Array.from({ length: 6 }, () => normal(rand)) },
    { name: 'scalar', shape: [], values: Float32Array.from([7]) },
    { name: 'd', shape: [1, 1, 7], values: Float32Array.from({ length: 7 }, () => normal(rand)) },
  ];

  it('round-trips float32 exactly', () => {
    const { entries, binary } = encodeWeights(tensors, 'float32');
    expect(entries.map((e) => e.name)).toEqual(tensors.map((t) => t.name));
    const decoded = decodeWeights(entries, binary.buffer as ArrayBuffer);
    for (const t of tensors) {
      const d = decoded.get(t.name);
      expect(d).toBeDefined();
      expect(d?.shape).toEqual(t.shape);
      expect(Array.from(d?.values ?? [])).toEqual(Array.from(t.values));
    }
  });

  it('round-trips float16 within half precision', () => {
    const { entries, binary } = encodeWeights(tensors, 'float16');
    const decoded = decodeWeights(entries, binary.buffer as ArrayBuffer);
    for (const t of tensors) {
      const d = decoded.get(t.name);
      expect(d?.shape).toEqual(t.shape);
      expect(d?.values.length).toBe(t.values.length);
      t.values.forEach((v, i) => {
        const got = d?.values[i] ?? Number.NaN;
        expect(Math.abs(got - v)).toBeLessThanOrEqual(Math.max(Math.abs(v) * 2 ** -11, 2 ** -24));
      });
    }
  });

  it.each(['float16', 'float32'] as const)(
    'places %s entries at 4-byte aligned, non-overlapping offsets',
    (dtype) => {
      const { entries, binary } = encodeWeights(tensors, dtype);
      let end = 0;
      for (const e of entries) {
        expect(e.dtype).toBe(dtype);
        expect(e.offset % 4).toBe(0);
        expect(e.offset).toBeGreaterThanOrEqual(end);
        end = e.offset + byteLength(e);
      }
      expect(binary.byteLength % 4).toBe(0);
      expect(binary.byteLength).toBeGreaterThanOrEqual(end);
      expect(binary.byteLength).toBeLessThan(end + 4);
    },
  );

  it('computes element counts and byte lengths', () => {
    expect(elementCount([])).toBe(1);
    expect(elementCount([2, 3, 4])).toBe(24);
    const e: WeightEntry = { name: 'x', shape: [3, 3], dtype: 'float16', offset: 0 };
    expect(byteLength(e)).toBe(18);
    expect(byteLength({ ...e, dtype: 'float32' })).toBe(36);
  });

  it('throws a clear error when the binary is too short', () => {
    const { entries, binary } = encodeWeights(tensors, 'float32');
    const short = binary.slice(0, binary.byteLength - 8).buffer;
    expect(() => decodeWeights(entries, short)).toThrow(/too short for "d".*damaged/);
    expect(() => decodeWeights(entries, new ArrayBuffer(0))).toThrow(/too short for "a"/);
  });
});
