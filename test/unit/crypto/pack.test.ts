import { describe, expect, it } from 'vitest';
import { pack, unpack } from '../../../src/lib/crypto/pack';

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.slice().buffer));
const roundTrip = <T>(v: T): T => unpack<T>(pack(v));

/** Awkward float32 bit patterns: signed zero, subnormals, extremes, non-representable decimals. */
const AWKWARD = Float32Array.of(
  -0,
  0,
  1e-45,
  -1.1754943508222875e-38,
  3.4028234663852886e38,
  -3.4028234663852886e38,
  0.1,
  -0.7071067690849304,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
);

describe('pack / unpack', () => {
  it('keeps a Float32Array bit for bit, -0 included', () => {
    const back = roundTrip({ template: AWKWARD });
    expect(back.template).toBeInstanceOf(Float32Array);
    expect(back.template).toHaveLength(AWKWARD.length);
    expect(bits(back.template)).toEqual(bits(AWKWARD));
    expect(Object.is(back.template[0], -0)).toBe(true);
    expect(Object.is(back.template[1], 0)).toBe(true);
  });

  it('round-trips nested objects of typed arrays, numbers, strings, booleans and nulls', () => {
    const value = {
      key: 'current',
      used: false,
      adapter: { dim: 3, rank: 1, a: Float32Array.of(1, 2, 3), b: Float32Array.of(-0.5, 0, 7) },
      templates: [
        { personId: 'p1', template: Float32Array.of(0.6, -0.8) },
        { personId: 'p2', template: Float32Array.of(-0, 1) },
      ],
      crop: { width: 1, height: 1, data: Uint8ClampedArray.of(0, 128, 255, 3) },
      bytes: Uint8Array.of(0xff, 0xd8, 0xff, 0),
      nothing: null,
      list: [1, 'two', [3, [4.5]], { deep: { deeper: Uint8Array.of(9) } }],
      createdAt: 1_700_000_000_123,
    };
    const back = roundTrip(value);
    expect(back).toEqual(value);
    expect(back.adapter.a).toBeInstanceOf(Float32Array);
    expect(back.templates[1]!.template).toBeInstanceOf(Float32Array);
    expect(bits(back.templates[1]!.template)).toEqual(bits(value.templates[1]!.template));
    // The three kinds stay distinct (toEqual alone would accept a Uint8Array for the crop).
    expect(back.crop.data).toBeInstanceOf(Uint8ClampedArray);
    expect(back.bytes).toBeInstanceOf(Uint8Array);
    expect(back.bytes).not.toBeInstanceOf(Uint8ClampedArray);
    expect((back.list[3] as { deep: { deeper: Uint8Array } }).deep.deeper).toBeInstanceOf(
      Uint8Array,
    );
  });

  it('keeps arrays of odd byte lengths apart and aligned, whatever comes before them', () => {
    // 1-, 3-, 5- and 7-byte arrays before and between float arrays: without 4-byte padding the
    // floats after them could not be viewed in place, and a wrong offset would mix their bytes.
    const value = {
      u1: Uint8Array.of(1),
      f1: Float32Array.of(0.1, 0.2, 0.3),
      c3: Uint8ClampedArray.of(2, 3, 4),
      u5: Uint8Array.of(5, 6, 7, 8, 9),
      f2: Float32Array.of(-0, 1e-45),
      u7: Uint8Array.of(10, 11, 12, 13, 14, 15, 16),
      f3: Float32Array.of(42),
    };
    const packed = pack(value);
    expect(packed.byteLength % 4).toBe(0);
    const back = roundTrip(value);
    expect(back).toEqual(value);
    expect(back.u1).toHaveLength(1);
    expect(back.c3).toHaveLength(3);
    expect(back.u5).toHaveLength(5);
    expect(back.u7).toHaveLength(7);
    for (const k of ['f1', 'f2', 'f3'] as const) {
      expect(back[k]).toBeInstanceOf(Float32Array);
      expect(bits(back[k])).toEqual(bits(value[k]));
      // Each owns a compact buffer (it does not alias the whole message).
      expect(back[k].byteOffset).toBe(0);
      expect(back[k].buffer.byteLength).toBe(value[k].length * 4);
    }
  });

  it('reads only the viewed part of an array that is a window on a larger buffer', () => {
    const whole = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9);
    const floats = Float32Array.of(1, 2, 3, 4, 5);
    const back = roundTrip({ u: whole.subarray(3, 6), f: floats.subarray(1, 3) });
    expect(Array.from(back.u)).toEqual([4, 5, 6]);
    expect(Array.from(back.f)).toEqual([2, 3]);
  });

  it('round-trips empty arrays and empty strings', () => {
    const value = {
      f: new Float32Array(0),
      u: new Uint8Array(0),
      c: new Uint8ClampedArray(0),
      s: '',
      list: [] as unknown[],
      obj: {},
      after: Float32Array.of(0.25),
    };
    const back = roundTrip(value);
    expect(back).toEqual(value);
    expect(back.f).toBeInstanceOf(Float32Array);
    expect(back.u).toBeInstanceOf(Uint8Array);
    expect(back.c).toBeInstanceOf(Uint8ClampedArray);
    expect(back.f).toHaveLength(0);
    expect(Array.from(back.after)).toEqual([0.25]);
  });

  it('round-trips unicode strings, including ones whose UTF-8 length differs from their length', () => {
    const value = {
      names: ['Zoë', 'Łukasz', '李小龙', 'Ａｎｎ', '👩🏽‍💻', 'e\u0301', '\u0000nul', 'quote " \\ /'],
      lone: '\uD800', // a lone surrogate: JSON escapes it, so it survives
      text: 'x'.repeat(3) + '€', // 7 bytes: the header's length is not a multiple of 4
      data: Uint8Array.of(200, 201),
    };
    const back = roundTrip(value);
    expect(back).toEqual(value);
    expect(Array.from(back.data)).toEqual([200, 201]);
  });

  it('keeps non-finite plain numbers as numbers (a guard report of no scores holds NaN)', () => {
    const value = { meanBefore: Number.NaN, top: Number.POSITIVE_INFINITY, low: -Infinity };
    const back = roundTrip(value);
    expect(back.meanBefore).toBeNaN();
    expect(back.top).toBe(Number.POSITIVE_INFINITY);
    expect(back.low).toBe(Number.NEGATIVE_INFINITY);
  });

  it('round-trips a bare typed array and bare scalars', () => {
    const f = roundTrip(AWKWARD);
    expect(f).toBeInstanceOf(Float32Array);
    expect(bits(f)).toEqual(bits(AWKWARD));
    expect(roundTrip('héllo')).toBe('héllo');
    expect(roundTrip(12.5)).toBe(12.5);
    expect(roundTrip(null)).toBeNull();
    expect(roundTrip(true)).toBe(true);
  });

  it('does not share memory with the input or the packed bytes', () => {
    const input = { f: Float32Array.of(1, 2), u: Uint8Array.of(3, 4) };
    const packed = pack(input);
    input.f[0] = 99;
    input.u[0] = 99;
    const back = unpack<typeof input>(packed);
    expect(Array.from(back.f)).toEqual([1, 2]);
    expect(Array.from(back.u)).toEqual([3, 4]);
    packed.fill(0);
    expect(Array.from(back.f)).toEqual([1, 2]);
    expect(Array.from(back.u)).toEqual([3, 4]);
  });

  it('unpacks from a view at an offset inside a larger buffer', () => {
    const value = { f: Float32Array.of(0.5, -0), u: Uint8Array.of(1, 2, 3) };
    const packed = pack(value);
    const big = new Uint8Array(packed.byteLength + 7);
    big.set(packed, 3);
    const back = unpack<typeof value>(big.subarray(3, 3 + packed.byteLength));
    expect(bits(back.f)).toEqual(bits(value.f));
    expect(Array.from(back.u)).toEqual([1, 2, 3]);
  });

  it('stores typed arrays as raw bytes, not as decimal or base64 text', () => {
    const crop = new Uint8ClampedArray(112 * 112 * 4).fill(77);
    const packed = pack({ crop });
    // Header plus padding stays small; the crop costs its own size.
    expect(packed.byteLength).toBeLessThan(crop.byteLength + 128);
  });
});
