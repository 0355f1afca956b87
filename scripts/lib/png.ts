import { decode, encode, hasPngSignature } from 'fast-png';

/**
 * Decodes an 8-bit grey, grey+alpha, RGB or RGBA PNG (what canvases and our scripts write) to
 * RGBA; `source` names the file in errors, since the crops come by the thousand.
 */
export function decodePng(
  bytes: Uint8Array,
  source = 'PNG',
): { width: number; height: number; rgba: Uint8Array } {
  if (!hasPngSignature(bytes)) throw new Error(`${source}: not a PNG file`);
  let png;
  try {
    png = decode(bytes);
  } catch (error) {
    throw new Error(`${source}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { width, height, data, channels, depth } = png;
  if (depth !== 8 || channels < 1 || channels > 4 || data.length < width * height * channels) {
    throw new Error(`${source}: only 8-bit grey/RGB(A) PNGs are supported`);
  }
  const rgba = new Uint8Array(width * height * 4);
  const grey = channels < 3;
  const alpha = channels === 2 || channels === 4;
  for (let i = 0; i < width * height; i++) {
    for (let k = 0; k < 3; k++) rgba[i * 4 + k] = data[i * channels + (grey ? 0 : k)] ?? 0;
    rgba[i * 4 + 3] = alpha ? (data[i * channels + channels - 1] ?? 255) : 255;
  }
  return { width, height, rgba };
}

/** Encodes RGBA pixels as an 8-bit RGBA PNG; used for plots, sheets, icons and degraded copies. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const png = encode({ width, height, data: rgba, channels: 4, depth: 8 });
  return Buffer.from(png.buffer, png.byteOffset, png.byteLength);
}
