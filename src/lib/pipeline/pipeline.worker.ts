/**
 * The whole per-frame pipeline, off the page's thread: detection, face mesh, alignment, quality
 * gate and embedding. The page sends camera frames as transferred ImageBitmaps, one at a time
 * (a frame that comes while one is being analysed is dropped on the page's side, never queued),
 * and draws what comes back. Every frame is analysed; the backbone runs only when the page asks
 * for the frame just analysed ('embed'), on the crop kept here from it.
 */
import { activeWasmThreads } from '../embedding/backend';
import { fallbackOrder, switchBackend, watchBackendLoss } from '../embedding/backend-loss';
import { FaceEngine, loadManifest } from '../embedding/face-engine';
import type { FaceMesh } from '../math/face-mesh';
import type { DetectedFace } from '../math/face-select';
import { createFaceDetector, type FaceDetectorHandle } from '../vision/detector';
import { analyzeFrame } from '../vision/frame-analysis';
import { createFaceLandmarker, type FaceLandmarkerHandle } from '../vision/landmarker';
import { choiceKey, gpuName, usableChoice } from './backend-choice';
import type {
  BackendChoice,
  EmbedResult,
  FrameResult,
  LoadStage,
  PipelineReply,
  PipelineRequest,
} from './pipeline-protocol';
import { warmUp } from './warm-up';

function post(reply: PipelineReply, transfer: Transferable[] = []): void {
  self.postMessage(reply, transfer);
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

interface Parts {
  detector: FaceDetectorHandle;
  landmarker: FaceLandmarkerHandle;
  files: Awaited<ReturnType<typeof loadManifest>>;
  key: string;
}

/** Loaded once per worker; a re-probe only chooses the backend again. */
let parts: Parts | null = null;
let engine: FaceEngine | null = null;
let baseUrl = '';
let forced: FaceEngine['backend'] | null = null;
/** The last frame's mesh: the next frame's landmarks look there first (tracking). */
let previousMesh: FaceMesh | null = null;
/** The last frame's detections, carried along by the mesh between detector runs. */
let previousFaces: DetectedFace[] | null = null;
/** Frames since the detector last ran. */
let sinceDetect = 0;
/**
 * The detector runs on every DETECT_EVERY-th tracked frame (and whenever the track is lost): a
 * second person stepping in is seen within that many frames, a third of a second at 30 FPS. A
 * detection costs ~16 ms here whatever the frame's size (MediaPipe reads its WebGL canvas back),
 * as much as the mesh: one frame in three carrying it held the median frame 2-6 ms higher
 * (docs/BENCHMARKS.md).
 */
const DETECT_EVERY = 10;
/** The last analysed frame's crop, when it passed the quality gate: what 'embed' embeds. */
let lastCrop: { id: number; crop: ImageData } | null = null;
/** One message at a time: a frame never overlaps a load or a re-probe. */
let queue: Promise<void> = Promise.resolve();
let watching = false;

function progress(stage: LoadStage, fraction: number, detail: string): void {
  post({ type: 'progress', stage, fraction, detail });
}

async function loadParts(): Promise<Parts> {
  progress('download', 0, 'Loading the face models');
  let done = 0;
  // Downloads (or reads from the offline cache) are 3/4 of a first start; the probe the rest.
  const loaded = <T>(work: Promise<T>, what: string): Promise<T> =>
    work.then((value) => {
      done += 1;
      progress('download', (0.75 * done) / 3, `${what} ready`);
      return value;
    });
  const [detector, landmarker, files] = await Promise.all([
    loaded(createFaceDetector(baseUrl), 'Face detector'),
    loaded(createFaceLandmarker(baseUrl), 'Face landmarks'),
    loaded(loadManifest(baseUrl), 'Face model description'),
  ]);
  const key = choiceKey({
    userAgent: navigator.userAgent,
    cores: navigator.hardwareConcurrency,
    gpu: gpuName(),
    modelId: files.manifest.id,
  });
  return { detector, landmarker, files, key };
}

/** Watches for a lost GPU (once per worker), then tells the page the engine is ready. */
async function announceReady(engine: FaceEngine, choice: BackendChoice | null): Promise<void> {
  if (!watching) {
    watching = true;
    watchBackendLoss((lost) => void backendLost(lost));
  }
  post({
    type: 'ready',
    manifest: engine.manifest,
    backend: engine.backend,
    probes: engine.probes,
    choice,
    remembered: engine.remembered,
    threads: await activeWasmThreads(),
  });
}

/** The embedder worker: the backbone alone, on the frames worker's backend (no probe, no mesh). */
async function startEmbedder(): Promise<void> {
  try {
    const files = await loadManifest(baseUrl);
    engine = await FaceEngine.load(baseUrl, files, { forced, remembered: null });
    await announceReady(engine, null);
  } catch (e) {
    post({ type: 'load-error', message: message(e) });
  }
}

async function start(remembered: unknown): Promise<void> {
  try {
    parts ??= await loadParts();
    const usable = usableChoice(remembered, parts.key);
    progress('probe', 0.75, usable ? 'Starting the face model' : 'Choosing the fastest engine');
    engine = await FaceEngine.load(baseUrl, parts.files, {
      forced,
      remembered: usable,
      onProbed: (n, total) =>
        progress('probe', 0.75 + (0.2 * n) / Math.max(1, total), 'Choosing the fastest engine'),
    });
    progress('start', 0.95, 'Warming up');
    await warmUp(parts.detector, parts.landmarker);
    await announceReady(engine, forced ? null : choiceOf(engine, parts.key, usable));
  } catch (e) {
    post({ type: 'load-error', message: message(e) });
  }
}

function choiceOf(engine: FaceEngine, key: string, remembered: BackendChoice | null) {
  if (remembered) return remembered;
  return { key, backend: engine.backend, probes: engine.probes, at: Date.now() };
}

/** The GPU went away: carry on on the best CPU backend; the models reload there by themselves. */
async function backendLost(lost: FaceEngine['backend']): Promise<void> {
  if (!engine) return;
  try {
    const now = await switchBackend(fallbackOrder(engine.probes));
    post({ type: 'backend-lost', lost, now });
  } catch (e) {
    post({ type: 'backend-failed', lost, message: message(e) });
  }
}

async function frame(request: Extract<PipelineRequest, { type: 'frame' }>): Promise<void> {
  const started = performance.now();
  const bitmap = request.frame;
  try {
    if (!parts || !engine) {
      post({ type: 'skipped', id: request.id, error: null });
      return;
    }
    lastCrop = null;
    if (!request.track) {
      previousMesh = null;
      previousFaces = null;
    }
    const detect = sinceDetect + 1 >= DETECT_EVERY;
    const analysis = await analyzeFrame(
      parts.detector,
      parts.landmarker,
      bitmap,
      bitmap.width,
      bitmap.height,
      { previousMesh, trackedFaces: detect ? null : previousFaces },
    );
    sinceDetect = analysis.tracked ? sinceDetect + 1 : 0;
    previousMesh = analysis.mesh;
    previousFaces = analysis.faces;
    if (analysis.quality.ok && analysis.crop) lastCrop = { id: request.id, crop: analysis.crop };
    const result: FrameResult = {
      id: request.id,
      analysis,
      timings: {
        ...analysis.timings,
        embedMs: 0,
        workerMs: performance.now() - started,
      },
    };
    post({ type: 'frame', result });
  } catch (e) {
    post({ type: 'skipped', id: request.id, error: message(e) });
  } finally {
    bitmap.close();
  }
}

/**
 * The backbone (the crop and its mirror image, one batch) on the last analysed frame's crop, or
 * on the crop sent with 'embed-crop'.
 */
async function embed(
  request: Extract<PipelineRequest, { type: 'embed' } | { type: 'embed-crop' }>,
): Promise<void> {
  const started = performance.now();
  try {
    let kept: ImageData | null;
    if (request.type === 'embed-crop') {
      kept = request.crop;
    } else {
      kept = lastCrop?.id === request.id ? lastCrop.crop : null;
      // Embedded once: a second ask for the same frame gets nothing rather than a second pass.
      lastCrop = null;
    }
    let embedding: Float32Array | null = null;
    let embedMs = 0;
    if (engine && kept) {
      const t0 = performance.now();
      embedding = await engine.embed(kept, true);
      embedMs = performance.now() - t0;
    }
    const result: EmbedResult = {
      id: request.id,
      embedding,
      embedMs,
      workerMs: performance.now() - started,
    };
    post({ type: 'embedded', result }, embedding ? [embedding.buffer] : []);
  } catch (e) {
    post({ type: 'skipped', id: request.id, error: message(e) });
  }
}

self.onmessage = (event: MessageEvent<PipelineRequest>) => {
  const request = event.data;
  queue = queue.then(() => {
    switch (request.type) {
      case 'init':
        baseUrl = request.baseUrl;
        forced = request.forced;
        return request.role === 'embed' ? startEmbedder() : start(request.remembered);
      case 'frame':
        return frame(request);
      case 'embed':
      case 'embed-crop':
        return embed(request);
      case 'reprobe':
        engine?.dispose();
        engine = null;
        return start(null);
    }
  });
};
