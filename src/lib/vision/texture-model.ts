import * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { FaceBox } from '../math/face-select';
import { ModelFileError } from '../embedding/model-fetch';
import { loadPinnedGraphModel } from './pinned-graph-model';

/**
 * The texture score of a face: Human's LivenessNet (@vladmandic/human 3.3.6, MIT,
 * models/liveness.json; github.com/leokwu/livenessnet), fed exactly as Human feeds it and as
 * scripts/eval-texture.ts measured it (docs/TEXTURE.md): the face box enlarged 1.4x about its
 * centre and made square (its longer side), cut from the frame and resized to 192x192 (bilinear,
 * outside the frame black), RGB divided by 255, resized again to 32x32 (bilinear), and the
 * softmax's first output, which Human reports as `face.live` (higher = live).
 *
 * Not wired into the app. The vote over a window of these scores is decisions/texture-vote.ts.
 * Human's own box is BlazeFace's; the app's detector (MediaPipe's short-range BlazeFace) gives a
 * box of the same kind, but not the same pixels: measure again once it is wired.
 *
 * Human's antispoof.json is left out on purpose: on the real replay it scored the screen as more
 * real than the live man (docs/TEXTURE.md).
 */

/** The model files, pinned like the landmark model's (vision/landmark-model-files.ts). */
export const TEXTURE_MODEL_FILES = [
  {
    name: 'liveness.json',
    bytes: 17070,
    sha256: '9e51c8acf83b80abbf329b2735309ab5c90611c66905ade8b1bd130d473df9c8',
  },
  {
    name: 'liveness.bin',
    bytes: 592976,
    sha256: 'fc6a6b6b3b9721bdb8bff67a457a15b7cbfd81715cfb27f3e65b757e81dd663e',
  },
] as const;

/** Where the app would serve them (a vendor copy from node_modules, as for /landmarks/). */
export const TEXTURE_MODEL_DIR = 'texture/';

/** Human's face crop: config.face.detector.scale, and the face-mesh input it is cut at. */
export const TEXTURE_BOX_SCALE = 1.4;
export const TEXTURE_CROP = 192;
/** LivenessNet's input side. */
export const TEXTURE_INPUT = 32;

export class TextureModelLoadError extends ModelFileError {
  override name = 'TextureModelLoadError';
}

/**
 * The crop box as tf.image.cropAndResize takes it ([y1, x1, y2, x2], fractions of the frame):
 * Human's enlargeBox then squarifyBox (facemeshutil.ts), its corners rounded to pixels as there.
 */
export function textureCropBox(
  box: FaceBox,
  frameWidth: number,
  frameHeight: number,
): [number, number, number, number] {
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const half = (TEXTURE_BOX_SCALE * Math.max(box.width, box.height)) / 2;
  const x1 = Math.round(cx - half);
  const y1 = Math.round(cy - half);
  const x2 = Math.round(cx + half);
  const y2 = Math.round(cy + half);
  return [y1 / frameHeight, x1 / frameWidth, y2 / frameHeight, x2 / frameWidth];
}

/**
 * The score tensor (shape [1]) of the face in `frame` (HxWx3, RGB 0..255), inside a tidy. For
 * callers that already hold the frame as a tensor; TextureScorer.score wraps it.
 */
export function textureScoreTensor(model: GraphModel, frame: tf.Tensor3D, box: FaceBox): tf.Tensor {
  return tf.tidy(() => {
    const [height, width] = frame.shape;
    const batch = tf.expandDims<tf.Tensor4D>(tf.cast(frame, 'float32'), 0);
    const crop = tf.div<tf.Tensor4D>(
      tf.image.cropAndResize(
        batch,
        [textureCropBox(box, width, height)],
        [0],
        [TEXTURE_CROP, TEXTURE_CROP],
      ),
      255,
    );
    const input = tf.image.resizeBilinear(crop, [TEXTURE_INPUT, TEXTURE_INPUT], false);
    const output = model.execute(input) as tf.Tensor;
    return tf.slice(tf.reshape(output, [-1]), [0], [1]);
  });
}

export interface TextureScorer {
  /** The face's texture score (0..1, higher = live). Always async (no sync reads on webgpu). */
  score(source: tf.Tensor3D | ImageBitmap | ImageData, box: FaceBox): Promise<number>;
  close(): void;
}

/**
 * Loads the pinned files from `baseUrl` + TEXTURE_MODEL_DIR on the current tfjs backend (the
 * caller registers and picks the backends, as for the landmarker).
 */
export async function createTextureScorer(baseUrl: string): Promise<TextureScorer> {
  const base = new URL(baseUrl, globalThis.location?.href);
  const model = await loadPinnedGraphModel(
    base,
    TEXTURE_MODEL_DIR,
    TEXTURE_MODEL_FILES,
    'face texture model',
    (message, cause) => new TextureModelLoadError(message, { cause }),
  );
  return {
    async score(source, box) {
      const graph = await model.current();
      const frame = source instanceof tf.Tensor ? null : tf.browser.fromPixels(source);
      try {
        const out = textureScoreTensor(graph, frame ?? (source as tf.Tensor3D), box);
        try {
          return (await out.data())[0] ?? Number.NaN;
        } finally {
          out.dispose();
        }
      } finally {
        frame?.dispose();
      }
    },
    close() {
      model.dispose();
    },
  };
}
