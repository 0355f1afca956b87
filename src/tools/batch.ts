/**
 * The browser half of the dataset scripts: the app's own detector + alignment (analyzeFrame) run
 * over image URLs, so the backbone is trained and evaluated on crops made exactly like live ones.
 */
import { createFaceDetector, type FaceDetectorHandle } from '../lib/vision/detector';
import { analyzeFrame } from '../lib/vision/frame-analysis';
import { createFaceLandmarker, type FaceLandmarkerHandle } from '../lib/vision/landmarker';
import { ALIGNED_SIZE, type Point } from '../lib/math/align';
import { meshAlignmentPoints } from '../lib/math/face-mesh';
import { headPoseFromMesh } from '../lib/math/head-pose';
import * as tf from '@tensorflow/tfjs-core';
import { registerBrowserBackends, type BackendName } from '../lib/embedding/backend';
import { Embedder } from '../lib/embedding/embedder';
import { fetchManifest } from '../lib/embedding/manifest';
import { fetchModelFile } from '../lib/embedding/model-fetch';
import type { BatchItemResult, BatchOptions, ContactSheetRequest } from './batch-protocol';
import { present } from './present';

let detector: FaceDetectorHandle | null = null;
let landmarker: FaceLandmarkerHandle | null = null;

async function blobToBase64(blob: Blob): Promise<string> {
  const dataUrl = await new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    // readAsDataURL: the result is a string.
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(reader.error ?? new Error('FileReader failed'));
    reader.readAsDataURL(blob);
  });
  return dataUrl.slice(dataUrl.indexOf(',') + 1);
}

const round2 = (v: number) => Math.round(v * 100) / 100;

async function processOne(url: string, options: BatchOptions): Promise<BatchItemResult> {
  if (!detector || !landmarker) throw new Error('batch front end not ready');
  const response = await fetch(url);
  if (!response.ok) return { url, failure: 'read_failed', detail: `HTTP ${response.status}` };
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(await response.blob());
  } catch (error) {
    return { url, failure: 'decode_failed', detail: String(error) };
  }
  try {
    const analysis = await analyzeFrame(detector, landmarker, bitmap, bitmap.width, bitmap.height, {
      maxDetectSide: options.maxDetectSide,
      refine: options.refine,
      ...(options.minMeshScore === undefined ? {} : { minMeshScore: options.minMeshScore }),
    });
    const face = analysis.primary;
    if (!face || !analysis.crop || !analysis.mesh) {
      return {
        url,
        failure: 'no_face',
        width: bitmap.width,
        height: bitmap.height,
        faces: analysis.faces.length,
        detectMs: analysis.timings.detectMs,
        landmarkMs: analysis.timings.landmarkMs,
        alignMs: analysis.timings.alignMs,
      };
    }
    const canvas = new OffscreenCanvas(ALIGNED_SIZE, ALIGNED_SIZE);
    canvas.getContext('2d')?.putImageData(analysis.crop, 0, 0);
    const png = await blobToBase64(await canvas.convertToBlob({ type: 'image/png' }));
    return {
      url,
      width: bitmap.width,
      height: bitmap.height,
      faces: analysis.faces.length,
      score: round2(face.score),
      box: [face.box.x, face.box.y, face.box.width, face.box.height].map(round2),
      keypoints: meshAlignmentPoints(analysis.mesh.points).map(([x, y]): Point => [
        round2(x),
        round2(y),
      ]),
      meshScore: round2(analysis.mesh.score),
      pose: (({ yaw, pitch, roll }) => ({
        yaw: round2(yaw),
        pitch: round2(pitch),
        roll: round2(roll),
      }))(headPoseFromMesh(analysis.mesh.points)),
      quality: analysis.quality.reasons,
      detectMs: analysis.timings.detectMs,
      landmarkMs: analysis.timings.landmarkMs,
      alignMs: analysis.timings.alignMs,
      png,
    };
  } finally {
    bitmap.close();
  }
}

async function contactSheet(request: ContactSheetRequest): Promise<string> {
  const columns = request.columns;
  const rows = Math.ceil(request.pngs.length / columns);
  const canvas = new OffscreenCanvas(columns * ALIGNED_SIZE, rows * ALIGNED_SIZE);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2d context');
  for (const [i, b64] of request.pngs.entries()) {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const tile = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    ctx.drawImage(tile, (i % columns) * ALIGNED_SIZE, Math.floor(i / columns) * ALIGNED_SIZE);
    tile.close();
  }
  if (request.guides) {
    // Template eye line and nose/mouth column, to judge the alignment by eye.
    ctx.strokeStyle = 'rgba(0,255,0,0.35)';
    for (let r = 0; r < rows; r++) {
      const y = r * ALIGNED_SIZE + 51.6;
      ctx.beginPath();
      ctx.moveTo(0, y);
      ctx.lineTo(canvas.width, y);
      ctx.stroke();
    }
  }
  return blobToBase64(await canvas.convertToBlob({ type: 'image/png' }));
}

async function init() {
  detector = await createFaceDetector(new URL('/', location.href).href);
  landmarker = await createFaceLandmarker(new URL('/', location.href).href);
  window.facegateBatch = {
    async process(urls, options) {
      const results: BatchItemResult[] = [];
      for (const url of urls) results.push(await processOne(url, options));
      return results;
    },
    contactSheet,
    present(request) {
      if (!detector || !landmarker) throw new Error('batch front end not ready');
      return present(detector, landmarker, request);
    },
    benchEmbed,
  };
  document.body.dataset.ready = 'true';
}

init().catch((error: unknown) => {
  document.body.dataset.error = String(error);
});

/** Embedding latency per backend, for scripts/bench-embed.ts. */
async function benchEmbed(
  backend: BackendName,
  runs: number,
): Promise<{ ms: number[]; backend: string }> {
  await registerBrowserBackends(new URL('/tfjs/', location.href).href);
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} not available`);
  await tf.ready();
  const models = new URL('/models/', location.href);
  const manifest = await fetchManifest(models);
  const embedder = await Embedder.load(manifest, (p) =>
    fetchModelFile(new URL(p, models).href, null),
  );
  const crop = {
    data: new Uint8ClampedArray(112 * 112 * 4).map((_, i) => (i * 37) % 256),
    width: 112,
    height: 112,
  };
  await embedder.embed([crop]);
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await embedder.embed([crop]);
    ms.push(performance.now() - t0);
  }
  embedder.dispose();
  return { ms, backend: tf.getBackend() };
}
