/** Image statistics on raw pixel buffers (ImageData layout), free of any DOM API. */

function assertDimensions(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`image size must be positive integers, got ${width}x${height}`);
  }
}

/** Rec.601 luma, 0..255, one value per pixel. Alpha is ignored. */
export function toGray(rgba: Uint8ClampedArray, width: number, height: number): Float32Array {
  assertDimensions(width, height);
  const pixels = width * height;
  if (rgba.length < pixels * 4) {
    throw new RangeError(`RGBA buffer holds ${rgba.length} bytes, need ${pixels * 4}`);
  }
  const gray = new Float32Array(pixels);
  for (let i = 0, j = 0; i < pixels; i++, j += 4) {
    gray[i] =
      0.299 * (rgba[j] as number) +
      0.587 * (rgba[j + 1] as number) +
      0.114 * (rgba[j + 2] as number);
  }
  return gray;
}

export function meanLuminance(gray: Float32Array): number {
  if (gray.length === 0) throw new RangeError('cannot take the mean of an empty image');
  let sum = 0;
  for (let i = 0; i < gray.length; i++) sum += gray[i] as number;
  return sum / gray.length;
}

/**
 * Focus measure (Pech-Pacheco et al. 2000): population variance of the 3x3
 * Laplacian [0,1,0; 1,-4,1; 0,1,0] over interior pixels. Blur removes the high
 * frequencies the Laplacian responds to, so lower means blurrier. The value
 * depends on image size and contrast, so thresholds only hold for one crop size.
 */
export function laplacianVariance(gray: Float32Array, width: number, height: number): number {
  assertDimensions(width, height);
  if (gray.length < width * height) {
    throw new RangeError(`gray buffer holds ${gray.length} values, need ${width * height}`);
  }
  if (width < 3 || height < 3) {
    throw new RangeError(`Laplacian needs at least 3x3 pixels, got ${width}x${height}`);
  }
  const responses = new Float64Array((width - 2) * (height - 2));
  let k = 0;
  let sum = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const r =
        (gray[i - width] as number) +
        (gray[i + width] as number) +
        (gray[i - 1] as number) +
        (gray[i + 1] as number) -
        4 * (gray[i] as number);
      responses[k++] = r;
      sum += r;
    }
  }
  // Two passes: sum-of-squares minus squared mean loses precision on flat images.
  const mean = sum / responses.length;
  let sq = 0;
  for (let i = 0; i < responses.length; i++) {
    const d = (responses[i] as number) - mean;
    sq += d * d;
  }
  return sq / responses.length;
}

export interface ExposureFractions {
  /** Share of pixels below darkBelow. */
  dark: number;
  /** Share of pixels above brightAbove. */
  bright: number;
}

/**
 * Shares of crushed shadows and blown highlights. Mean luminance alone misses a
 * face that is half burnt out and half in shadow (side light).
 */
export function darkOrBrightFraction(
  gray: Float32Array,
  darkBelow = 20,
  brightAbove = 235,
): ExposureFractions {
  if (gray.length === 0) throw new RangeError('cannot measure exposure of an empty image');
  let dark = 0;
  let bright = 0;
  for (let i = 0; i < gray.length; i++) {
    const v = gray[i] as number;
    if (v < darkBelow) dark++;
    else if (v > brightAbove) bright++;
  }
  return { dark: dark / gray.length, bright: bright / gray.length };
}
