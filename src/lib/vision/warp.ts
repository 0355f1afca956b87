import { ALIGNED_SIZE, toCanvasMatrix, type Similarity } from '../math/align';

// One canvas per output size (the 112 px aligned crop, the 192 px landmark input), reused.
const contexts = new Map<number, OffscreenCanvasRenderingContext2D>();

function context(size: number): OffscreenCanvasRenderingContext2D {
  let ctx = contexts.get(size);
  if (!ctx) {
    const canvas = new OffscreenCanvas(size, size);
    ctx = canvas.getContext('2d', { willReadFrequently: true }) ?? undefined;
    if (!ctx) throw new Error('This browser cannot draw on an OffscreenCanvas.');
    contexts.set(size, ctx);
  }
  return ctx;
}

/** Resamples the source under `transform` (source pixels -> crop) into a size x size crop. */
export function warpToCrop(
  source: CanvasImageSource,
  transform: Similarity,
  size: number,
): ImageData {
  const ctx = context(size);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, size, size);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.setTransform(...toCanvasMatrix(transform));
  ctx.drawImage(source, 0, 0);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  return ctx.getImageData(0, 0, size, size);
}

/**
 * Resamples the face into the fixed 112x112 layout the backbone was trained on. The app and the
 * dataset scripts both call this in Chromium, so training and inference crops are made alike.
 */
export function warpToAlignedCrop(source: CanvasImageSource, transform: Similarity): ImageData {
  return warpToCrop(source, transform, ALIGNED_SIZE);
}
