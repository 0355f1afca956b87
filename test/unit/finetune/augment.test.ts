import { describe, expect, it } from 'vitest';
import {
  adjustTone,
  augmentCrop,
  blur,
  lowResolution,
  warpSimilarity,
} from '../../../src/lib/finetune/augment';
import { seededRandom } from '../../../src/lib/math/seeded-random';

function gradient(size = 16) {
  const data = new Uint8ClampedArray(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const o = (y * size + x) * 4;
      data[o] = x * 15;
      data[o + 1] = y * 15;
      data[o + 2] = (x + y) * 7;
      data[o + 3] = 255;
    }
  }
  return { data, width: size, height: size };
}

function flat(value: number, size = 16) {
  const data = new Uint8ClampedArray(size * size * 4).fill(value);
  for (let i = 3; i < data.length; i += 4) data[i] = 255;
  return { data, width: size, height: size };
}

const identity = { angle: 0, scale: 1, tx: 0, ty: 0, flip: false };

describe('augmentation primitives', () => {
  it('the identity warp returns the same pixels', () => {
    const img = gradient();
    expect([...warpSimilarity(img, identity).data]).toEqual([...img.data]);
  });

  it('mirrors left and right, and mirroring twice is the identity', () => {
    const img = gradient();
    const once = warpSimilarity(img, { ...identity, flip: true });
    expect(once.data[0]).toBe(img.data[15 * 4]);
    expect([...warpSimilarity(once, { ...identity, flip: true }).data]).toEqual([...img.data]);
  });

  it('shifts by whole pixels exactly, repeating the border', () => {
    const img = gradient();
    const shifted = warpSimilarity(img, { ...identity, tx: 2 });
    // Output (x, y) shows input (x - 2, y).
    expect(shifted.data[(3 * 16 + 5) * 4]).toBe(img.data[(3 * 16 + 3) * 4]);
    expect(shifted.data[(3 * 16 + 0) * 4]).toBe(img.data[(3 * 16 + 0) * 4]);
  });

  it('a quarter turn maps the corners onto each other', () => {
    const img = gradient();
    const turned = warpSimilarity(img, { ...identity, angle: Math.PI / 2 });
    const px = (im: { data: Uint8ClampedArray }, x: number, y: number) => [
      ...im.data.slice((y * 16 + x) * 4, (y * 16 + x) * 4 + 3),
    ];
    expect(px(turned, 0, 0)).toEqual(px(img, 0, 15));
    expect(px(turned, 15, 15)).toEqual(px(img, 15, 0));
  });

  it('tone: gain 1 and gamma 1 change nothing; gamma > 1 darkens; alpha is kept', () => {
    const img = gradient();
    expect([...adjustTone(img, 1, 1).data]).toEqual([...img.data]);
    const dark = adjustTone(flat(128), 1, 2);
    expect(dark.data[0]).toBe(Math.round(255 * (128 / 255) ** 2));
    expect(dark.data[3]).toBe(255);
  });

  it('blur and low resolution leave a flat image flat', () => {
    expect(new Set(blur(flat(90), 2).data.filter((_, i) => i % 4 !== 3))).toEqual(new Set([90]));
    expect(new Set(lowResolution(flat(90), 7).data.filter((_, i) => i % 4 !== 3))).toEqual(
      new Set([90]),
    );
  });

  it('blur softens an edge', () => {
    const img = flat(0);
    for (let y = 0; y < 16; y++)
      for (let x = 8; x < 16; x++) img.data.fill(200, (y * 16 + x) * 4, (y * 16 + x) * 4 + 3);
    const soft = blur(img, 1);
    const at = (x: number) => soft.data[(4 * 16 + x) * 4] ?? -1;
    expect(at(7)).toBeGreaterThan(0);
    expect(at(8)).toBeLessThan(200);
    expect(at(0)).toBe(0);
  });

  it('augmentCrop is reproducible from its seed and differs between seeds', () => {
    const img = gradient(32);
    const a = augmentCrop(img, seededRandom(5));
    const b = augmentCrop(img, seededRandom(5));
    const c = augmentCrop(img, seededRandom(6));
    expect([...a.data]).toEqual([...b.data]);
    expect([...a.data]).not.toEqual([...c.data]);
    expect(a.width).toBe(32);
    expect(a.height).toBe(32);
  });
});
