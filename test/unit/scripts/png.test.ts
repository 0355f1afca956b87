/// <reference types="node" />
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodePng, encodePng } from '../../../scripts/lib/png';
import { seededRandom as prng } from '../../../src/lib/math/seeded-random';

function randomBytes(seed: number, n: number): Uint8Array {
  const rand = prng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
}

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

const SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * An independent PNG writer for tests: any colour type with `channels` samples, each row with
 * its own filter (0..4), the image data split over several IDAT chunks.
 */
function writePng(
  width: number,
  height: number,
  channels: 1 | 3 | 4,
  pixels: Uint8Array,
  filterOf: (y: number) => number,
  extra: { depth?: number; interlace?: number } = {},
): Buffer {
  const stride = width * channels;
  const raw = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    const f = filterOf(y);
    raw[y * (stride + 1)] = f;
    for (let x = 0; x < stride; x++) {
      const v = pixels[y * stride + x] ?? 0;
      const a = x >= channels ? (pixels[y * stride + x - channels] ?? 0) : 0;
      const b = y > 0 ? (pixels[(y - 1) * stride + x] ?? 0) : 0;
      const c = y > 0 && x >= channels ? (pixels[(y - 1) * stride + x - channels] ?? 0) : 0;
      const pred = [0, a, b, (a + b) >> 1, paeth(a, b, c)][f] ?? 0;
      raw[y * (stride + 1) + 1 + x] = (v - pred) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = extra.depth ?? 8;
  ihdr[9] = channels === 4 ? 6 : channels === 3 ? 2 : 0;
  ihdr[12] = extra.interlace ?? 0;
  const z = deflateSync(raw);
  const third = Math.ceil(z.length / 3);
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('tEXt', new TextEncoder().encode('Comment\0ignored')),
    chunk('IDAT', z.subarray(0, third)),
    chunk('IDAT', z.subarray(third, 2 * third)),
    chunk('IDAT', z.subarray(2 * third)),
    chunk('IEND', new Uint8Array(0)),
  ]);
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

  it('writes correct chunk CRCs', () => {
    const png = encodePng(2, 2, randomBytes(1, 16));
    let pos = 8;
    while (pos < png.length) {
      const len = png.readUInt32BE(pos);
      const body = png.subarray(pos + 4, pos + 8 + len);
      expect(png.readUInt32BE(pos + 8 + len)).toBe(crc32(body));
      pos += 12 + len;
    }
    expect(pos).toBe(png.length);
  });

  it('decodes from a Buffer slice that does not start its ArrayBuffer', () => {
    const rgba = randomBytes(3, 3 * 2 * 4);
    const png = encodePng(3, 2, rgba);
    const padded = Buffer.concat([Buffer.alloc(13, 7), png]).subarray(13);
    expect(Array.from(decodePng(padded).rgba)).toEqual(Array.from(rgba));
  });
});

describe('decodePng', () => {
  it('undoes every filter type (none, sub, up, average, paeth) across split IDAT chunks', () => {
    const w = 9;
    const h = 10;
    const rgba = randomBytes(2024, w * h * 4);
    for (const filterOf of [(y: number) => y % 5, (y: number) => 4 - (y % 5)]) {
      const decoded = decodePng(writePng(w, h, 4, rgba, filterOf));
      expect(Array.from(decoded.rgba)).toEqual(Array.from(rgba));
    }
  });

  it('expands RGB and grey to opaque RGBA', () => {
    const rgb = randomBytes(11, 5 * 4 * 3);
    const fromRgb = decodePng(writePng(5, 4, 3, rgb, (y) => (y * 3) % 5));
    const expectedRgb: number[] = [];
    for (let i = 0; i < 20; i++)
      expectedRgb.push(rgb[i * 3] ?? 0, rgb[i * 3 + 1] ?? 0, rgb[i * 3 + 2] ?? 0, 255);
    expect(Array.from(fromRgb.rgba)).toEqual(expectedRgb);

    const grey = randomBytes(12, 6 * 3);
    const fromGrey = decodePng(writePng(6, 3, 1, grey, (y) => y + 2));
    const expectedGrey: number[] = [];
    for (const g of grey) expectedGrey.push(g, g, g, 255);
    expect(Array.from(fromGrey.rgba)).toEqual(expectedGrey);
  });

  it('rejects non-PNG bytes', () => {
    expect(() => decodePng(new Uint8Array(0))).toThrow(/not a PNG/);
    expect(() => decodePng(new TextEncoder().encode('GIF89a........'), 'x.gif')).toThrow(
      'x.gif: not a PNG file',
    );
    const jpegish = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70, 0, 1]);
    expect(() => decodePng(jpegish)).toThrow(/not a PNG/);
  });

  it('rejects unsupported bit depths and interlacing', () => {
    const px = randomBytes(4, 2 * 2 * 4);
    expect(() => decodePng(writePng(2, 2, 4, px, () => 0, { depth: 16 }))).toThrow(/only 8-bit/);
    expect(() => decodePng(writePng(2, 2, 4, px, () => 0, { interlace: 1 }))).toThrow(/only 8-bit/);
  });

  it('rejects an unknown row filter', () => {
    const px = randomBytes(4, 2 * 2 * 4);
    expect(() => decodePng(writePng(2, 2, 4, px, (y) => (y === 1 ? 5 : 0)))).toThrow(
      /bad PNG filter 5/,
    );
  });

  it('rejects truncated data', () => {
    const png = encodePng(16, 16, randomBytes(8, 16 * 16 * 4));
    const idatEnd = png.length - 12; // the IEND chunk is the last 12 bytes
    // Cut inside the signature, inside IHDR, right after IHDR, inside the compressed data.
    for (const cut of [4, 20, 33, 33 + 8 + 10, idatEnd - 6]) {
      expect(() => decodePng(png.subarray(0, cut)), `cut at ${cut}`).toThrow();
    }
  });

  it('rejects image data that holds fewer rows than the header says', () => {
    const png = Buffer.from(encodePng(4, 3, randomBytes(9, 4 * 3 * 4)));
    png.writeUInt32BE(5, 8 + 8 + 4); // IHDR height := 5 (the decoder does not check CRCs)
    expect(() => decodePng(png, 'short.png')).toThrow('short.png: truncated image data');
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
