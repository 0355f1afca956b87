import { describe, expect, it } from 'vitest';
import {
  darkOrBrightFraction,
  laplacianVariance,
  meanLuminance,
  toGray,
} from '../../../src/lib/math/image-stats';
import { seededRandom as prng } from '../../../src/lib/math/seeded-random';

function solidRgba(w: number, h: number, rgb: [number, number, number]): Uint8ClampedArray {
  const out = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < w * h; i++) out.set([...rgb, 255], i * 4);
  return out;
}

function fill(w: number, h: number, f: (x: number, y: number) => number): Float32Array {
  const g = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) g[y * w + x] = f(x, y);
  return g;
}

function boxBlur3(g: Float32Array, w: number, h: number): Float32Array {
  return fill(w, h, (x, y) => {
    let sum = 0;
    let n = 0;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx;
        const yy = y + dy;
        if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
        sum += g[yy * w + xx] as number;
        n++;
      }
    }
    return sum / n;
  });
}

describe('toGray', () => {
  it('uses Rec.601 weights and ignores alpha', () => {
    const rgba = new Uint8ClampedArray([
      255, 0, 0, 0, 0, 255, 0, 128, 0, 0, 255, 255, 10, 10, 10, 7,
    ]);
    const gray = toGray(rgba, 4, 1);
    expect(gray[0]).toBeCloseTo(0.299 * 255, 3);
    expect(gray[1]).toBeCloseTo(0.587 * 255, 3);
    expect(gray[2]).toBeCloseTo(0.114 * 255, 3);
    expect(gray[3]).toBeCloseTo(10, 4);
  });

  it('rejects a buffer too small for the size', () => {
    expect(() => toGray(new Uint8ClampedArray(12), 2, 2)).toThrow(RangeError);
    expect(() => toGray(new Uint8ClampedArray(16), 0, 2)).toThrow(RangeError);
  });
});

describe('meanLuminance', () => {
  it('measures known images', () => {
    expect(meanLuminance(toGray(solidRgba(8, 8, [0, 0, 0]), 8, 8))).toBe(0);
    expect(meanLuminance(toGray(solidRgba(8, 8, [255, 255, 255]), 8, 8))).toBeCloseTo(255, 3);
    expect(meanLuminance(toGray(solidRgba(8, 8, [100, 100, 100]), 8, 8))).toBeCloseTo(100, 3);
    expect(meanLuminance(fill(10, 10, (x) => (x < 5 ? 0 : 200)))).toBeCloseTo(100, 5);
  });

  it('rejects an empty image', () => {
    expect(() => meanLuminance(new Float32Array(0))).toThrow(RangeError);
  });
});

describe('laplacianVariance', () => {
  it('is 0 on a constant image', () => {
    expect(
      laplacianVariance(
        fill(20, 20, () => 128),
        20,
        20,
      ),
    ).toBe(0);
  });

  it('is 0 on a linear ramp (the Laplacian of a plane is 0)', () => {
    expect(
      laplacianVariance(
        fill(20, 20, (x, y) => 3 * x + 2 * y),
        20,
        20,
      ),
    ).toBeCloseTo(0, 6);
  });

  it('is large on a checkerboard', () => {
    // Each interior response is ±4*255, all of one sign per parity: variance (1020)².
    const board = fill(16, 16, (x, y) => ((x + y) % 2 === 0 ? 0 : 255));
    expect(laplacianVariance(board, 16, 16)).toBeCloseTo(1020 ** 2, 0);
  });

  it('drops when a random image is blurred', () => {
    const rand = prng(99);
    const w = 112;
    const h = 112;
    const img = fill(w, h, () => rand() * 255);
    const sharp = laplacianVariance(img, w, h);
    const blurred = laplacianVariance(boxBlur3(img, w, h), w, h);
    const blurredTwice = laplacianVariance(boxBlur3(boxBlur3(img, w, h), w, h), w, h);
    expect(blurred).toBeLessThan(sharp / 5);
    expect(blurredTwice).toBeLessThan(blurred);
  });

  it('rejects images without interior pixels', () => {
    expect(() => laplacianVariance(new Float32Array(4), 2, 2)).toThrow(RangeError);
    expect(() => laplacianVariance(new Float32Array(4), 3, 3)).toThrow(RangeError);
  });
});

describe('darkOrBrightFraction', () => {
  it('counts crushed and blown pixels', () => {
    const g = new Float32Array([0, 5, 100, 128, 240, 255, 19, 20]);
    expect(darkOrBrightFraction(g)).toEqual({ dark: 3 / 8, bright: 2 / 8 });
    expect(darkOrBrightFraction(g, 10, 250)).toEqual({ dark: 2 / 8, bright: 1 / 8 });
  });
});
