import { alignmentTransform, type Similarity } from '../math/align';
import { toGray } from '../math/image-stats';
import { assessQuality, DEFAULT_QUALITY, type QualityThresholds } from '../math/quality';
import { pickPrimaryFace, type DetectedFace } from '../math/face-select';
import type { FaceMesh } from '../math/face-mesh';
import type { FaceDetectorHandle } from './detector';
import { warpToAlignedCrop } from './warp';

export type QualityResult = ReturnType<typeof assessQuality>;

export interface FrameAnalysis {
  faces: DetectedFace[];
  primary: DetectedFace | null;
  /** Dense landmarks of the primary face (468 points, source pixels); null when none were found. */
  mesh: FaceMesh | null;
  transform: Similarity | null;
  /** The aligned 112x112 RGBA crop of the primary face, or null when there is none. */
  crop: ImageData | null;
  quality: QualityResult;
  timings: { detectMs: number; alignMs: number };
}

export interface AnalyzeOptions {
  /** Large photos are shrunk to this longest side for detection; the crop still comes from the original. */
  maxDetectSide?: number;
  thresholds?: QualityThresholds;
}

const DEFAULT_MAX_DETECT_SIDE = 1024;

let shrinkCanvas: OffscreenCanvas | null = null;

function shrinkForDetection(
  source: CanvasImageSource,
  width: number,
  height: number,
  scale: number,
) {
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  if (!shrinkCanvas) shrinkCanvas = new OffscreenCanvas(w, h);
  shrinkCanvas.width = w;
  shrinkCanvas.height = h;
  const ctx = shrinkCanvas.getContext('2d');
  if (!ctx) throw new Error('This browser cannot draw on an OffscreenCanvas.');
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(source, 0, 0, w, h);
  return { canvas: shrinkCanvas, w, h };
}

function scaleFace(face: DetectedFace, k: number): DetectedFace {
  return {
    score: face.score,
    box: {
      x: face.box.x * k,
      y: face.box.y * k,
      width: face.box.width * k,
      height: face.box.height * k,
    },
    keypoints: face.keypoints.map(([x, y]) => [x * k, y * k] as const),
  };
}

/**
 * The one front end shared by the live camera and the dataset/evaluation scripts:
 * detect -> pick the face -> align -> quality gate.
 */
export function analyzeFrame(
  detector: FaceDetectorHandle,
  source: CanvasImageSource & TexImageSource,
  width: number,
  height: number,
  options: AnalyzeOptions = {},
): FrameAnalysis {
  const maxSide = options.maxDetectSide ?? DEFAULT_MAX_DETECT_SIDE;
  const t0 = performance.now();
  const longest = Math.max(width, height);
  let faces: DetectedFace[];
  if (longest > maxSide) {
    const scale = maxSide / longest;
    const small = shrinkForDetection(source, width, height, scale);
    faces = detector.detect(small.canvas, small.w, small.h).map((f) => scaleFace(f, 1 / scale));
  } else {
    faces = detector.detect(source, width, height);
  }
  const t1 = performance.now();

  const thresholds = options.thresholds ?? DEFAULT_QUALITY;
  const primary = pickPrimaryFace(faces, thresholds.minScore);
  let transform: Similarity | null = null;
  let crop: ImageData | null = null;
  let gray: Float32Array | null = null;
  if (primary && primary.keypoints.length >= 4) {
    transform = alignmentTransform(primary.keypoints);
    crop = warpToAlignedCrop(source, transform);
    gray = toGray(crop.data, crop.width, crop.height);
  }
  const quality = assessQuality(
    { faces, crop: crop && gray ? { gray, width: crop.width, height: crop.height } : null },
    thresholds,
  );
  const t2 = performance.now();
  return {
    faces,
    primary,
    mesh: null,
    transform,
    crop,
    quality,
    timings: { detectMs: t1 - t0, alignMs: t2 - t1 },
  };
}
