import * as tf from '@tensorflow/tfjs-core';
import type { ModelManifest } from './manifest';

export interface CropPixels {
  /** RGBA, row-major, as in ImageData. */
  data: Uint8ClampedArray | Uint8Array;
  width: number;
  height: number;
}

/** Packs aligned RGBA crops into the backbone's NHWC float input (channel order and scaling from the manifest). */
export function cropsToInput(
  crops: readonly CropPixels[],
  input: ModelManifest['input'],
): Float32Array {
  const size = input.size;
  const out = new Float32Array(crops.length * size * size * 3);
  const order = input.colorOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  crops.forEach((crop, n) => {
    if (crop.width !== size || crop.height !== size) {
      throw new Error(`crop is ${crop.width}x${crop.height}, the model needs ${size}x${size}`);
    }
    const base = n * size * size * 3;
    for (let i = 0; i < size * size; i++) {
      for (let c = 0; c < 3; c++) {
        out[base + i * 3 + c] =
          ((crop.data[i * 4 + (order[c] ?? 0)] ?? 0) - input.mean) / input.std;
      }
    }
  });
  return out;
}

export function inputTensor(
  crops: readonly CropPixels[],
  input: ModelManifest['input'],
): tf.Tensor4D {
  return tf.tensor4d(cropsToInput(crops, input), [crops.length, input.size, input.size, 3]);
}
