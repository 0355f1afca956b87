/// <reference types="node" />
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { decodePng, encodePng } from '../../../scripts/lib/png';
import { seededRandom as prng } from '../../../src/lib/math/seeded-random';

function randomBytes(seed: number, n: number): Uint8Array {
  const rand = prng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
}

const SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

/** A PNG of another layout than RGBA (grey, grey+alpha, RGB, 16-bit), written by the library. */
function otherPng(width: number, height: number, channels: number, data: Uint8Array | Uint16Array) {
  return encode({ width, height, channels, data, depth: data instanceof Uint16Array ? 16 : 8 });
}

describe('encodePng / decodePng', () => {
  it('round-trips a seeded random 7x5 RGBA image exactly', () => {
    const rgba = randomBytes(99, 7 * 5 * 4);
    const png = encodePng(7, 5, rgba);
    expect(Array.from(png.subarray(0, 8))).toEqual(Array.from(SIGNATURE));
    const decoded = decodePng(png);
    expect(decoded.width).toBe(7);
    expect(decoded.height).toBe(5);
    expect(Array.from(decoded.rgba)).toEqual(Array.from(rgba));
  });

  it('encodes from a view with a byte offset', () => {
    const backing = randomBytes(5, 3 + 4 * 3 * 4);
    const rgba = backing.subarray(3);
    const decoded = decodePng(encodePng(4, 3, rgba));
    expect(Array.from(decoded.rgba)).toEqual(Array.from(rgba));
  });

  it('decodes from a Buffer slice that does not start its ArrayBuffer', () => {
    const rgba = randomBytes(3, 3 * 2 * 4);
    const png = encodePng(3, 2, rgba);
    const padded = Buffer.concat([Buffer.alloc(13, 7), png]).subarray(13);
    expect(Array.from(decodePng(padded).rgba)).toEqual(Array.from(rgba));
  });
});

describe('decodePng', () => {
  it('expands grey, grey+alpha and RGB to RGBA', () => {
    const rgb = randomBytes(11, 5 * 4 * 3);
    const expectedRgb: number[] = [];
    for (let i = 0; i < 20; i++)
      expectedRgb.push(rgb[i * 3] ?? 0, rgb[i * 3 + 1] ?? 0, rgb[i * 3 + 2] ?? 0, 255);
    expect(Array.from(decodePng(otherPng(5, 4, 3, rgb)).rgba)).toEqual(expectedRgb);

    const grey = randomBytes(12, 6 * 3);
    const expectedGrey: number[] = [];
    for (const g of grey) expectedGrey.push(g, g, g, 255);
    expect(Array.from(decodePng(otherPng(6, 3, 1, grey)).rgba)).toEqual(expectedGrey);

    const greyAlpha = randomBytes(13, 3 * 2 * 2);
    const expectedGreyAlpha: number[] = [];
    for (let i = 0; i < 6; i++) {
      const g = greyAlpha[i * 2] ?? 0;
      expectedGreyAlpha.push(g, g, g, greyAlpha[i * 2 + 1] ?? 0);
    }
    expect(Array.from(decodePng(otherPng(3, 2, 2, greyAlpha)).rgba)).toEqual(expectedGreyAlpha);
  });

  it('rejects non-PNG bytes, naming the source', () => {
    expect(() => decodePng(new Uint8Array(0))).toThrow(/not a PNG/);
    expect(() => decodePng(new TextEncoder().encode('GIF89a........'), 'x.gif')).toThrow(
      'x.gif: not a PNG file',
    );
    const jpegish = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70, 0, 1]);
    expect(() => decodePng(jpegish)).toThrow(/not a PNG/);
  });

  it('rejects 16-bit images rather than misreading them', () => {
    const deep = Uint16Array.from(randomBytes(4, 2 * 2 * 4), (v) => v * 257);
    expect(() => decodePng(otherPng(2, 2, 4, deep), 'deep.png')).toThrow(/deep.png: only 8-bit/);
  });

  it('rejects truncated data, naming the source', () => {
    const png = encodePng(16, 16, randomBytes(8, 16 * 16 * 4));
    const idatEnd = png.length - 12; // the IEND chunk is the last 12 bytes
    // Cut inside the signature, inside IHDR, right after IHDR, inside the compressed data.
    for (const cut of [4, 20, 33, 33 + 8 + 10, idatEnd - 6]) {
      expect(() => decodePng(png.subarray(0, cut), 'cut.png'), `cut at ${cut}`).toThrow(/cut.png/);
    }
  });

  const sheet = resolve(import.meta.dirname, '../../../docs/lfw-contact-sheet.png');
  it.skipIf(!existsSync(sheet))(
    'decodes the PNG that Chromium wrote (docs/lfw-contact-sheet.png)',
    () => {
      const bytes = readFileSync(sheet);
      const { width, height, rgba } = decodePng(bytes, sheet);
      expect(width).toBe(896);
      expect(height).toBe(896);
      expect(rgba.length).toBe(896 * 896 * 4);
      // A contact sheet of faces: many distinct colours, not a blank or garbled image.
      const colours = new Set<number>();
      for (let i = 0; i < rgba.length; i += 4 * 97) {
        colours.add(((rgba[i] ?? 0) << 16) | ((rgba[i + 1] ?? 0) << 8) | (rgba[i + 2] ?? 0));
      }
      expect(colours.size).toBeGreaterThan(1000);
      // Re-encoding what was decoded is lossless.
      expect(
        Buffer.compare(
          Buffer.from(decodePng(encodePng(width, height, rgba)).rgba),
          Buffer.from(rgba),
        ),
      ).toBe(0);
    },
  );
});
