import * as tf from '@tensorflow/tfjs-core';
import { applySimilarity, invertSimilarity, similarityScale, type Similarity } from '../math/align';
import { MESH_POINTS, type FaceMesh, type Point3 } from '../math/face-mesh';
import { LANDMARK_MODEL_DIR, LANDMARK_MODEL_FILES } from './landmark-model-files';
import { warpToCrop } from './warp';
import { ModelFileError } from '../embedding/model-fetch';
import { loadPinnedGraphModel } from './pinned-graph-model';
import { registerBrowserBackends } from '../embedding/backend';

/** The face-mesh model's input side, pixels. */
export const MESH_INPUT = 192;

/** A ModelFileError too, so one `instanceof` catches every model file that failed to load. */
export class LandmarkerLoadError extends ModelFileError {
  override name = 'LandmarkerLoadError';
}

export interface FaceLandmarkerHandle {
  /**
   * The 468-point mesh of the face inside `roi` (source pixels -> MESH_INPUT crop) with the
   * model's face-presence score; the caller decides what score is a face. Always async: reading
   * a tensor synchronously on webgpu lost the device (ARCHITECTURE.md).
   */
  estimate(source: CanvasImageSource, roi: Similarity): Promise<FaceMesh>;
  close(): void;
}

function warp(source: CanvasImageSource, roi: Similarity): Float32Array {
  const rgba = warpToCrop(source, roi, MESH_INPUT).data;
  // The model takes RGB in 0..1 (as MediaPipe's face_landmark graph feeds it).
  const rgb = new Float32Array(MESH_INPUT * MESH_INPUT * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = (rgba[i] as number) / 255;
    rgb[j + 1] = (rgba[i + 1] as number) / 255;
    rgb[j + 2] = (rgba[i + 2] as number) / 255;
  }
  return rgb;
}

/** Mesh output (crop pixels) back to source pixels; z scaled like x and y. */
export function meshToSource(raw: ArrayLike<number>, roi: Similarity): Point3[] {
  const inverse = invertSimilarity(roi);
  const zScale = 1 / similarityScale(roi);
  const points: Point3[] = [];
  for (let i = 0; i < MESH_POINTS; i++) {
    const [x, y] = applySimilarity(inverse, [raw[3 * i] as number, raw[3 * i + 1] as number]);
    points.push([x, y, (raw[3 * i + 2] as number) * zScale]);
  }
  return points;
}

/** Below this face-presence score the mesh is not a face (MediaPipe's default is 0.5). */
export const MIN_MESH_SCORE = 0.5;

export async function createFaceLandmarker(baseUrl: string): Promise<FaceLandmarkerHandle> {
  const base = new URL(baseUrl, globalThis.location?.href);
  // The model runs on tfjs: the same backends as the backbone, registered once per page.
  await registerBrowserBackends(new URL('tfjs/', base).href);
  const model = await loadPinnedGraphModel(
    base,
    LANDMARK_MODEL_DIR,
    LANDMARK_MODEL_FILES,
    'face landmark model',
    (message, cause) => new LandmarkerLoadError(message, { cause }),
  );
  return {
    async estimate(source, roi) {
      const graph = await model.current();
      const pixels = warp(source, roi);
      const outputs = tf.tidy(() => {
        const input = tf.tensor4d(pixels, [1, MESH_INPUT, MESH_INPUT, 3]);
        return graph.execute(input) as tf.Tensor[];
      });
      try {
        const meshT = outputs.find((t) => t.shape[t.shape.length - 1] === MESH_POINTS * 3);
        const flagT = outputs.find((t) => t.shape[t.shape.length - 1] === 1);
        if (!meshT || !flagT) throw new Error('the face landmark model gave unexpected outputs');
        const [raw, flag] = await Promise.all([meshT.data(), flagT.data()]);
        return { points: meshToSource(raw, roi), score: flag[0] ?? 0 };
      } finally {
        tf.dispose(outputs);
      }
    },
    close() {
      model.dispose();
    },
  };
}
