/**
 * The webcam-like degradation of eval-finetune (documented in docs/BENCHMARKS.md), seeded per
 * image so every run sees the same pixels:
 *
 *   1. rotation, uniform in ±4°, about the crop centre;
 *   2. the face downscaled to 56-64 px wide (area average) and back up to 112 (bilinear);
 *   3. darker: gain 0.8-1.0, gamma 1.5-1.9;
 *   4. one [1 2 1]/4 blur pass;
 *   5. JPEG at quality 30 (jpeg-js), decoded again.
 */
import jpeg from 'jpeg-js';
import type { CropPixels } from '../../src/lib/embedding/preprocess.ts';
import {
  adjustTone,
  blur,
  lowResolution,
  warpSimilarity,
  type Rgba,
} from '../../src/lib/finetune/augment.ts';
import { seededRandom } from '../../src/lib/math/seeded-random.ts';

/** FNV-1a, so each file gets its own reproducible random stream. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export const JPEG_QUALITY = 30;

/** A JPEG round trip at `quality` (1-100): the blocking and ringing of a webcam's MJPEG stream. */
export function jpegRoundTrip(img: Rgba, quality: number): Rgba {
  const encoded = jpeg.encode(
    {
      data: Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength),
      width: img.width,
      height: img.height,
    },
    quality,
  );
  const decoded = jpeg.decode(encoded.data, { useTArray: true, formatAsRGBA: true });
  return {
    data: new Uint8ClampedArray(
      decoded.data.buffer,
      decoded.data.byteOffset,
      decoded.data.byteLength,
    ),
    width: decoded.width,
    height: decoded.height,
  };
}

export function degradeCrop(crop: CropPixels, key: string, seed = 7): Rgba {
  const rng = seededRandom(hashString(key) ^ seed);
  const angle = ((rng() * 2 - 1) * 4 * Math.PI) / 180;
  let img = warpSimilarity(crop, { angle, scale: 1, tx: 0, ty: 0, flip: false });
  img = lowResolution(img, 56 + rng() * 8);
  img = adjustTone(img, 0.8 + 0.2 * rng(), 1.5 + 0.4 * rng());
  img = blur(img, 1);
  return jpegRoundTrip(img, JPEG_QUALITY);
}
