import { ALIGNED_SIZE, toCanvasMatrix, type Similarity } from '../math/align';

let canvas: OffscreenCanvas | null = null;
let context: OffscreenCanvasRenderingContext2D | null = null;

function crop2d(): OffscreenCanvasRenderingContext2D {
  if (!context) {
    canvas = new OffscreenCanvas(ALIGNED_SIZE, ALIGNED_SIZE);
    context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('This browser cannot draw on an OffscreenCanvas.');
  }
  return context;
}

/**
 * Resamples the face into the fixed 112x112 layout the backbone was trained on. The app and the
 * dataset scripts both call this in Chromium, so training and inference crops are made alike.
 */
export function warpToAlignedCrop(source: CanvasImageSource, transform: Similarity): ImageData {
  const ctx = crop2d();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, ALIGNED_SIZE, ALIGNED_SIZE);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.setTransform(...toCanvasMatrix(transform));
  ctx.drawImage(source, 0, 0);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  return ctx.getImageData(0, 0, ALIGNED_SIZE, ALIGNED_SIZE);
}
