import { FaceDetector } from '@mediapipe/tasks-vision';
import type { Point } from '../math/align';
import type { DetectedFace } from '../math/face-select';
import { fetchModelFile, ModelFileError } from '../embedding/model-fetch';

/**
 * Everything the detector needs is served by the app itself (copied from node_modules at install by
 * scripts/add-tflite-metadata.ts), so detection works offline and never touches a CDN.
 */
export const DETECTOR_ASSETS = {
  wasmLoader: 'mediapipe/vision_wasm_internal.js',
  wasmBinary: 'mediapipe/vision_wasm_internal.wasm',
  model: 'detector/face_detection_short_range.tflite',
} as const;

/**
 * A module worker cannot importScripts() the classic loader, and MediaPipe's fallback, import(),
 * leaves the classic loader's ModuleFactory out of the global scope; the ES-module build of the
 * same wasm sets it. The page (the dataset tools) keeps the classic build.
 */
export const DETECTOR_WORKER_ASSETS = {
  ...DETECTOR_ASSETS,
  wasmLoader: 'mediapipe/vision_wasm_module_internal.js',
  wasmBinary: 'mediapipe/vision_wasm_module_internal.wasm',
} as const;

const inWorker = !('document' in globalThis);

/** Low on purpose: face choice and the "more than one face" rule apply their own, stricter scores. */
const RAW_MIN_SCORE = 0.3;

/** A ModelFileError too, so one `instanceof` catches every model file that failed to load. */
export class DetectorLoadError extends ModelFileError {
  override name = 'DetectorLoadError';
}

export interface FaceDetectorHandle {
  /** Faces in the source's pixel coordinates. */
  detect(source: TexImageSource, width: number, height: number): DetectedFace[];
  close(): void;
}

/** The detector model; any failure is a DetectorLoadError. */
async function fetchModel(url: string): Promise<Uint8Array> {
  try {
    // No pin here: add-tflite-metadata.ts pins the bytes it writes at install, and a damaged
    // download fails when MediaPipe starts on it (below).
    return new Uint8Array(await fetchModelFile(url, null, { what: 'face detector' }));
  } catch (cause) {
    throw new DetectorLoadError(cause instanceof Error ? cause.message : String(cause), {
      cause,
    });
  }
}

export async function createFaceDetector(baseUrl: string): Promise<FaceDetectorHandle> {
  const base = new URL(baseUrl, globalThis.location?.href);
  const assets = inWorker ? DETECTOR_WORKER_ASSETS : DETECTOR_ASSETS;
  const modelBytes = await fetchModel(new URL(assets.model, base).href);
  let detector: FaceDetector;
  try {
    detector = await FaceDetector.createFromOptions(
      {
        wasmLoaderPath: new URL(assets.wasmLoader, base).href,
        wasmBinaryPath: new URL(assets.wasmBinary, base).href,
      },
      {
        baseOptions: { modelAssetBuffer: modelBytes, delegate: 'CPU' },
        runningMode: 'IMAGE',
        minDetectionConfidence: RAW_MIN_SCORE,
      },
    );
  } catch (cause) {
    throw new DetectorLoadError(
      `The face detector could not start; its files may be damaged. Reload the page. (${String(cause)})`,
    );
  }
  return {
    detect(source, width, height) {
      const result = detector.detect(source);
      return result.detections.map((d) => {
        const box = d.boundingBox ?? { originX: 0, originY: 0, width: 0, height: 0 };
        const keypoints: Point[] = (d.keypoints ?? []).map((k) => [k.x * width, k.y * height]);
        return {
          box: { x: box.originX, y: box.originY, width: box.width, height: box.height },
          score: d.categories[0]?.score ?? 0,
          keypoints,
        };
      });
    },
    close() {
      detector.close();
    },
  };
}
