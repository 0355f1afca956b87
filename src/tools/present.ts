/**
 * The browser half of the liveness evaluation: renders each frame of a presentation (a photo held,
 * moved, turned or shown on a screen, or a real video's frames) into a camera-sized canvas and runs
 * the app's front end on it, tracking the mesh from frame to frame as the camera loop does.
 */
import { analyzeFrame } from '../lib/vision/frame-analysis';
import type { FaceDetectorHandle } from '../lib/vision/detector';
import type { FaceLandmarkerHandle } from '../lib/vision/landmarker';
import type { FaceMesh } from '../lib/math/face-mesh';
import { headPoseFromMesh } from '../lib/math/head-pose';
import type { Homography } from '../lib/math/homography';
import type {
  PresentationRequest,
  PresentedFrameResult,
  PresentedFrameSpec,
  ScreenEffects,
} from './batch-protocol';

interface Pixels {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

async function loadPixels(url: string): Promise<Pixels> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const bitmap = await createImageBitmap(await response.blob());
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2d context');
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  return {
    data: ctx.getImageData(0, 0, canvas.width, canvas.height).data,
    width: canvas.width,
    height: canvas.height,
  };
}

/** A cheap per-pixel hash in [0, 1): noise that differs per frame without a PRNG per pixel. */
function hash01(i: number, seed: number): number {
  let h = Math.imul(i ^ seed, 0x27d4eb2d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) / 4294967296;
}

const BACKGROUND = 70;

function render(spec: PresentedFrameSpec, source: Pixels, out: ImageData, seed: number): void {
  const { width, height, data } = out;
  const src = source.data;
  const sw = source.width;
  const sh = source.height;
  const [h0, h1, h2, h3, h4, h5, h6, h7, h8] = spec.toSource as Homography;
  const effects: ScreenEffects = spec.effects ?? {};
  const gammaLut = new Uint8ClampedArray(256);
  for (let v = 0; v < 256; v++) gammaLut[v] = 255 * (v / 255) ** (effects.gamma ?? 1);
  const moire = effects.moire;
  const glare = effects.glare;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const w = h6 * x + h7 * y + h8;
      const sx = (h0 * x + h1 * y + h2) / w;
      const sy = (h3 * x + h4 * y + h5) / w;
      const o = 4 * (y * width + x);
      let r = BACKGROUND;
      let g = BACKGROUND;
      let b = BACKGROUND;
      if (sx >= 0 && sy >= 0 && sx < sw - 1 && sy < sh - 1) {
        const x0 = Math.floor(sx);
        const y0 = Math.floor(sy);
        const fx = sx - x0;
        const fy = sy - y0;
        const i00 = 4 * (y0 * sw + x0);
        const i01 = i00 + 4;
        const i10 = i00 + 4 * sw;
        const i11 = i10 + 4;
        const lerp = (c: number) =>
          (1 - fy) * ((1 - fx) * src[i00 + c]! + fx * src[i01 + c]!) +
          fy * ((1 - fx) * src[i10 + c]! + fx * src[i11 + c]!);
        r = gammaLut[Math.round(lerp(0))]!;
        g = gammaLut[Math.round(lerp(1))]!;
        b = gammaLut[Math.round(lerp(2))]!;
        if (moire) {
          const k =
            1 -
            moire.depth *
              (0.5 + 0.5 * Math.sin(2 * Math.PI * (moire.fx * x + moire.fy * y) + moire.phase));
          r *= k;
          g *= k;
          b *= k;
        }
        if (glare) {
          const d2 = (x - glare.x) ** 2 + (y - glare.y) ** 2;
          const add = 255 * glare.strength * Math.exp(-d2 / (2 * glare.radius ** 2));
          r += add;
          g += add;
          b += add;
        }
      }
      const n = spec.noise * (2 * hash01(o, seed) - 1);
      data[o] = r + n;
      data[o + 1] = g + n;
      data[o + 2] = b + n;
      data[o + 3] = 255;
    }
  }
}

export async function present(
  detector: FaceDetectorHandle,
  landmarker: FaceLandmarkerHandle,
  request: PresentationRequest,
): Promise<PresentedFrameResult[]> {
  const sources = await Promise.all(request.sources.map(loadPixels));
  // Width/height 0: the first source's size (a video's frames, shown as they are).
  const canvas = new OffscreenCanvas(
    request.width || (sources[0]?.width ?? 1),
    request.height || (sources[0]?.height ?? 1),
  );
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2d context');
  const out = ctx.createImageData(canvas.width, canvas.height);
  const results: PresentedFrameResult[] = [];
  let previousMesh: FaceMesh | null = null;
  for (const [index, spec] of request.frames.entries()) {
    const source = sources[spec.source];
    if (!source) throw new Error(`frame ${index}: no source ${spec.source}`);
    render(spec, source, out, index * 7919 + 1);
    ctx.putImageData(out, 0, 0);
    const analysis = await analyzeFrame(detector, landmarker, canvas, canvas.width, canvas.height, {
      previousMesh,
    });
    previousMesh = analysis.mesh;
    const mesh = analysis.mesh;
    results.push({
      points: mesh
        ? request.keep.flatMap((i) => {
            const p = mesh.points[i];
            return p ? [p[0], p[1], p[2]].map((v) => Math.round(v * 100) / 100) : [NaN, NaN, NaN];
          })
        : null,
      meshScore: mesh ? Math.round(mesh.score * 1000) / 1000 : 0,
      faces: analysis.faces.length,
      quality: analysis.quality.reasons,
      pose: mesh ? headPoseFromMesh(mesh.points) : null,
    });
  }
  return results;
}
