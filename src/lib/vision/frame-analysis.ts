import { ARCFACE_TEMPLATE_112, estimateSimilarity, type Similarity } from '../math/align';
import { toGray } from '../math/image-stats';
import { assessQuality, DEFAULT_QUALITY, type QualityThresholds } from '../math/quality';
import { pickPrimaryFace, rankFaces, type DetectedFace } from '../math/face-select';
import { meshAlignmentPoints, type FaceMesh } from '../math/face-mesh';
import { roiFromDetection, roiFromMesh } from '../math/mesh-roi';
import { faceOfMesh, meshInBox, meshMotion, moveFace } from '../math/face-motion';
import type { FaceDetectorHandle } from './detector';
import { MESH_INPUT, MIN_MESH_SCORE, type FaceLandmarkerHandle } from './landmarker';
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
  /** True when the detector did not run: the face was followed by its mesh (trackedFaces). */
  tracked: boolean;
  timings: { detectMs: number; landmarkMs: number; alignMs: number };
}

export interface AnalyzeOptions {
  /** Large photos are shrunk to this longest side for detection; the crop still comes from the original. */
  maxDetectSide?: number;
  thresholds?: QualityThresholds;
  /**
   * Camera (VIDEO mode): the previous frame's mesh. When it still lies on the chosen face, the
   * landmark model looks where that mesh was (tracking) rather than where the detector's coarse
   * box says, as MediaPipe's face-landmark graph does.
   */
  previousMesh?: FaceMesh | null;
  /**
   * Datasets (IMAGE mode): a second landmark pass in the region the first mesh defines. Each pass
   * costs one landmark-model run.
   */
  refine?: boolean;
  /** The landmark model's face-presence floor (MIN_MESH_SCORE unless set). */
  minMeshScore?: number;
  /**
   * Camera, between detector runs: the previous frame's detections. With previousMesh, the
   * detector is skipped when the mesh is still tracked: these faces are moved by the mesh's
   * motion instead (face-motion.ts). When the track is lost the detector runs after all.
   */
  trackedFaces?: readonly DetectedFace[] | null;
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

/** A mesh this unsure is not a face at all; between this and the floor, look once more. */
const SECOND_LOOK_SCORE = 0.05;
/** Detections tried in turn when the chosen one's mesh is not a face (a poster, a guitar...). */
const MAX_CANDIDATES = 3;

async function meshFor(
  landmarker: FaceLandmarkerHandle,
  source: CanvasImageSource,
  face: DetectedFace,
  options: AnalyzeOptions,
  minScore: number,
): Promise<FaceMesh | null> {
  const previous = options.previousMesh;
  if (previous && meshInBox(face, previous)) {
    const tracked = await landmarker.estimate(source, roiFromMesh(previous.points, MESH_INPUT));
    if (tracked.score >= minScore) return tracked;
  }
  const first = await landmarker.estimate(
    source,
    roiFromDetection(face.box, face.keypoints, MESH_INPUT),
  );
  const sure = first.score >= minScore;
  // A sure mesh is looked at again only to refine it; an unsure one if it is not hopeless.
  const lookAgain = sure ? options.refine === true : first.score >= SECOND_LOOK_SCORE;
  if (!lookAgain) return sure ? first : null;
  // The first mesh's own extent frames the face better than the detector's box did.
  const second = await landmarker.estimate(source, roiFromMesh(first.points, MESH_INPUT));
  if (second.score >= minScore) return second;
  return sure ? first : null;
}

/**
 * The face to embed and its mesh: the detector's choice, confirmed by the landmark model. When
 * the chosen box holds no face by the mesh's judgement, the next candidates are tried.
 */
async function landmarks(
  landmarker: FaceLandmarkerHandle,
  source: CanvasImageSource,
  faces: readonly DetectedFace[],
  minDetectScore: number,
  options: AnalyzeOptions,
): Promise<{ face: DetectedFace; mesh: FaceMesh } | null> {
  const minScore = options.minMeshScore ?? MIN_MESH_SCORE;
  for (const face of rankFaces(faces, minDetectScore).slice(0, MAX_CANDIDATES)) {
    const mesh = await meshFor(landmarker, source, face, options, minScore);
    if (mesh) return { face, mesh };
  }
  return null;
}

/**
 * The one front end shared by the live camera and the dataset/evaluation scripts:
 * detect -> pick the face -> face mesh -> align on five mesh points -> quality gate.
 * The detector finds and chooses the face; the crop is aligned only on mesh points (the
 * detector's keypoints cost ~3.4 points of accuracy on in-the-wild photos, MODELS.md).
 */
export async function analyzeFrame(
  detector: FaceDetectorHandle,
  landmarker: FaceLandmarkerHandle,
  source: CanvasImageSource & TexImageSource,
  width: number,
  height: number,
  options: AnalyzeOptions = {},
): Promise<FrameAnalysis> {
  const t0 = performance.now();
  const tracked = await followTrack(landmarker, source, options);
  if (tracked) {
    const t1 = performance.now();
    return finish(source, tracked.faces, tracked.face, tracked.mesh, options, {
      detectMs: 0,
      landmarkMs: t1 - t0,
      start: t1,
      tracked: true,
    });
  }
  const maxSide = options.maxDetectSide ?? DEFAULT_MAX_DETECT_SIDE;
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
  const found = await landmarks(landmarker, source, faces, thresholds.minScore, options);
  const primary = found?.face ?? pickPrimaryFace(faces, thresholds.minScore);
  const mesh = found?.mesh ?? null;
  const t2 = performance.now();
  return finish(source, faces, primary, mesh, options, {
    detectMs: t1 - t0,
    landmarkMs: t2 - t1,
    start: t2,
    tracked: false,
  });
}

/** The tracked face without the detector, or null when there is no track to follow. */
async function followTrack(
  landmarker: FaceLandmarkerHandle,
  source: CanvasImageSource,
  options: AnalyzeOptions,
): Promise<{ faces: DetectedFace[]; face: DetectedFace; mesh: FaceMesh } | null> {
  const previous = options.previousMesh;
  const trackedFaces = options.trackedFaces;
  if (!previous || !trackedFaces || trackedFaces.length === 0) return null;
  const owner = faceOfMesh(trackedFaces, previous);
  if (!owner) return null;
  const mesh = await landmarker.estimate(source, roiFromMesh(previous.points, MESH_INPUT));
  if (mesh.score < (options.minMeshScore ?? MIN_MESH_SCORE)) return null;
  const motion = meshMotion(previous, mesh);
  const faces = trackedFaces.map((f) => (f === owner ? moveFace(f, motion) : f));
  const face = faces[trackedFaces.indexOf(owner)] as DetectedFace;
  return { faces, face, mesh };
}

function finish(
  source: CanvasImageSource & TexImageSource,
  faces: DetectedFace[],
  primary: DetectedFace | null,
  mesh: FaceMesh | null,
  options: AnalyzeOptions,
  times: { detectMs: number; landmarkMs: number; start: number; tracked: boolean },
): FrameAnalysis {
  const thresholds = options.thresholds ?? DEFAULT_QUALITY;

  let transform: Similarity | null = null;
  let crop: ImageData | null = null;
  let gray: Float32Array | null = null;
  if (mesh) {
    transform = estimateSimilarity(meshAlignmentPoints(mesh.points), ARCFACE_TEMPLATE_112);
    crop = warpToAlignedCrop(source, transform);
    gray = toGray(crop.data, crop.width, crop.height);
  }
  const quality = assessQuality(
    {
      faces,
      primary,
      mesh,
      crop: crop && gray ? { gray, width: crop.width, height: crop.height } : null,
    },
    thresholds,
  );
  const t3 = performance.now();
  return {
    faces,
    primary,
    mesh,
    transform,
    crop,
    quality,
    tracked: times.tracked,
    timings: {
      detectMs: times.detectMs,
      landmarkMs: times.landmarkMs,
      alignMs: t3 - times.start,
    },
  };
}
