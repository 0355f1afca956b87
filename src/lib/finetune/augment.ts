/**
 * Image-level augmentation of aligned face crops (RGBA), for on-device fine-tuning and for the
 * background bank. Pure TypeScript on pixel arrays: the same code runs in the browser's worker,
 * in the Node scripts and in unit tests.
 *
 * Why these transforms: a webcam differs from the enrollment frames in where the detector puts the
 * keypoints (alignment jitter: shift, rotation, scale), in light (gain, gamma), in focus (blur) and
 * in how many pixels the face covers (downscale and back up).
 */
import type { CropPixels } from '../embedding/preprocess';

export interface Rgba {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

function toRgba(img: CropPixels): Rgba {
  return {
    data: img.data instanceof Uint8ClampedArray ? img.data : new Uint8ClampedArray(img.data),
    width: img.width,
    height: img.height,
  };
}

function sample(img: Rgba, x: number, y: number, out: Uint8ClampedArray, o: number): void {
  // Bilinear with clamp-to-edge: a shifted crop repeats its border rather than going black.
  const cx = Math.min(Math.max(x, 0), img.width - 1);
  const cy = Math.min(Math.max(y, 0), img.height - 1);
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const x1 = Math.min(x0 + 1, img.width - 1);
  const y1 = Math.min(y0 + 1, img.height - 1);
  const fx = cx - x0;
  const fy = cy - y0;
  const d = img.data;
  const w = img.width;
  for (let c = 0; c < 4; c++) {
    const a = (d[(y0 * w + x0) * 4 + c] ?? 0) * (1 - fx) + (d[(y0 * w + x1) * 4 + c] ?? 0) * fx;
    const b = (d[(y1 * w + x0) * 4 + c] ?? 0) * (1 - fx) + (d[(y1 * w + x1) * 4 + c] ?? 0) * fx;
    out[o + c] = a * (1 - fy) + b * fy;
  }
}

export interface Similarity {
  /** Radians, counter-clockwise. */
  angle: number;
  scale: number;
  /** Pixels. */
  tx: number;
  ty: number;
  flip: boolean;
}

/** The crop as seen through a small similarity transform about its centre (same size out). */
export function warpSimilarity(src: CropPixels, t: Similarity): Rgba {
  const img = toRgba(src);
  const { width: w, height: h } = img;
  const out = new Uint8ClampedArray(w * h * 4);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const cos = Math.cos(t.angle) / t.scale;
  const sin = Math.sin(t.angle) / t.scale;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const dx = (t.flip ? w - 1 - x : x) - cx - t.tx;
      const dy = y - cy - t.ty;
      sample(img, cx + cos * dx + sin * dy, cy - sin * dx + cos * dy, out, (y * w + x) * 4);
    }
  }
  return { data: out, width: w, height: h };
}

/** v' = 255 · gain · (v/255)^gamma per colour channel; gamma > 1 darkens the mid-tones. */
export function adjustTone(src: CropPixels, gain: number, gamma: number): Rgba {
  const img = toRgba(src);
  const lut = new Uint8ClampedArray(256);
  for (let v = 0; v < 256; v++) lut[v] = Math.round(255 * gain * Math.pow(v / 255, gamma));
  const out = new Uint8ClampedArray(img.data.length);
  for (let i = 0; i < out.length; i++) {
    out[i] = (i & 3) === 3 ? (img.data[i] ?? 255) : (lut[img.data[i] ?? 0] ?? 0);
  }
  return { data: out, width: img.width, height: img.height };
}

/** Separable [1 2 1]/4 blur, `passes` times (each pass adds a variance of 0.5 px²). */
export function blur(src: CropPixels, passes: number): Rgba {
  let img = toRgba(src);
  const { width: w, height: h } = img;
  for (let p = 0; p < passes; p++) {
    for (const horizontal of [true, false]) {
      const d = img.data;
      const out = new Uint8ClampedArray(d.length);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const o = (y * w + x) * 4;
          const a = horizontal
            ? (y * w + Math.max(x - 1, 0)) * 4
            : (Math.max(y - 1, 0) * w + x) * 4;
          const b = horizontal
            ? (y * w + Math.min(x + 1, w - 1)) * 4
            : (Math.min(y + 1, h - 1) * w + x) * 4;
          for (let c = 0; c < 4; c++) {
            out[o + c] = ((d[a + c] ?? 0) + 2 * (d[o + c] ?? 0) + (d[b + c] ?? 0)) / 4;
          }
        }
      }
      img = { data: out, width: w, height: h };
    }
  }
  return img;
}

/** Area-average downscale to `small` px wide, then bilinear back up: a face seen from further away. */
export function lowResolution(src: CropPixels, small: number): Rgba {
  const img = toRgba(src);
  const { width: w, height: h } = img;
  const sw = Math.max(2, Math.round(small));
  const sh = Math.max(2, Math.round((small * h) / w));
  const down = new Uint8ClampedArray(sw * sh * 4);
  for (let y = 0; y < sh; y++) {
    const y0 = Math.floor((y * h) / sh);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * h) / sh));
    for (let x = 0; x < sw; x++) {
      const x0 = Math.floor((x * w) / sw);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * w) / sw));
      const acc = [0, 0, 0, 0];
      for (let yy = y0; yy < y1; yy++) {
        for (let xx = x0; xx < x1; xx++) {
          for (let c = 0; c < 4; c++)
            acc[c] = (acc[c] ?? 0) + (img.data[(yy * w + xx) * 4 + c] ?? 0);
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      for (let c = 0; c < 4; c++) down[(y * sw + x) * 4 + c] = (acc[c] ?? 0) / n;
    }
  }
  const small4: Rgba = { data: down, width: sw, height: sh };
  const out = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Pixel centres map onto pixel centres.
      sample(small4, ((x + 0.5) * sw) / w - 0.5, ((y + 0.5) * sh) / h - 0.5, out, (y * w + x) * 4);
    }
  }
  return { data: out, width: w, height: h };
}

export interface AugmentRanges {
  /** Max |rotation| in degrees. */
  rotateDeg: number;
  /** Max |shift| in pixels. */
  shiftPx: number;
  /** Max |log scale|. */
  logScale: number;
  /** Range of the gain and of the gamma exponent. */
  gain: [number, number];
  gamma: [number, number];
  /** Probability of a blur pass (up to two passes). */
  blurP: number;
  /** Probability of a low-resolution round trip, and the width range it goes down to. */
  lowResP: number;
  lowResPx: [number, number];
}

/** The on-device fine-tuning's augmentation: what a webcam does to a face between two days. */
export const WEBCAM_AUGMENT: AugmentRanges = {
  rotateDeg: 8,
  shiftPx: 4,
  logScale: 0.06,
  gain: [0.7, 1.15],
  gamma: [0.8, 1.8],
  blurP: 0.5,
  lowResP: 0.5,
  lowResPx: [48, 80],
};

/** Gentler: for enrollment frames that already come from the webcam the app will unlock with. */
export const MILD_AUGMENT: AugmentRanges = {
  rotateDeg: 5,
  shiftPx: 3,
  logScale: 0.04,
  gain: [0.85, 1.1],
  gamma: [0.9, 1.3],
  blurP: 0.3,
  lowResP: 0.3,
  lowResPx: [64, 96],
};

const between = (rng: () => number, [lo, hi]: [number, number]) => lo + (hi - lo) * rng();

/** One random augmented view of an aligned crop (seeded through `rng`). */
export function augmentCrop(
  src: CropPixels,
  rng: () => number,
  r: AugmentRanges = WEBCAM_AUGMENT,
): Rgba {
  const deg = (rng() * 2 - 1) * r.rotateDeg;
  let img = warpSimilarity(src, {
    angle: (deg * Math.PI) / 180,
    scale: Math.exp((rng() * 2 - 1) * r.logScale),
    tx: (rng() * 2 - 1) * r.shiftPx,
    ty: (rng() * 2 - 1) * r.shiftPx,
    flip: rng() < 0.5,
  });
  if (rng() < r.lowResP) img = lowResolution(img, between(rng, r.lowResPx));
  if (rng() < r.blurP) img = blur(img, rng() < 0.5 ? 1 : 2);
  return adjustTone(img, between(rng, r.gain), between(rng, r.gamma));
}
