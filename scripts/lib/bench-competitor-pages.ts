/**
 * The competitors' pages for `npm run bench`, served by scripts/lib/bench-static-server.ts: each
 * opens the (fake) camera, loads its library on the backend named in `?backend=`, then times its
 * whole per-frame pipeline (detection, landmarks/alignment, descriptor) on `warmup + frames` fresh
 * video frames (fewer if `seconds` run out) and leaves the result in `window.__bench`. Browser code, kept as plain module text:
 * these libraries are bench-only dev dependencies and the app must never bundle them.
 */

/** URL prefixes the pages load from, mapped by bench.ts to node_modules folders. */
export const COMPETITOR_FOLDERS = {
  '/face-api/': 'node_modules/@vladmandic/face-api',
  '/human/': 'node_modules/@vladmandic/human',
  '/tfjs-wasm/': 'node_modules/@tensorflow/tfjs-backend-wasm/dist',
};

/** What a page leaves in window.__bench. */
export interface CompetitorPageResult {
  error?: string;
  backend?: string;
  load_ms?: number;
  times_ms?: number[];
  /** Timed frames in which the pipeline produced a descriptor (a face found and described). */
  described?: number;
  /** Cross-origin isolated: tfjs-wasm may run threaded, as in the app. */
  isolated?: boolean;
}

/**
 * Shared harness: camera, timing loop, result. `setup(backend)` resolves to
 * `{ backend, run(video) -> Promise<boolean> }` (true when a descriptor came out).
 */
const HARNESS = `
const params = new URLSearchParams(location.search);
const wanted = params.get('backend') ?? 'wasm';
const frames = Number(params.get('frames') ?? '60');
const warmup = Number(params.get('warmup') ?? '10');
// A cap on the loop: a backend that takes seconds a frame (webgl without a GPU) is still measured,
// on fewer frames, without holding the bench for minutes.
const seconds = Number(params.get('seconds') ?? '60');
try {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  document.body.append(video);
  video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
  await video.play();
  // Each timed run starts on a frame the camera has just delivered, as the app's loop does.
  const nextFrame = () => new Promise((done) => video.requestVideoFrameCallback(() => done()));
  await nextFrame();
  const loadStart = performance.now();
  const pipeline = await setup(wanted);
  const load_ms = performance.now() - loadStart;
  const times_ms = [];
  let described = 0;
  const deadline = performance.now() + seconds * 1000;
  for (let i = 0; i < warmup + frames && performance.now() < deadline; i++) {
    await nextFrame();
    const start = performance.now();
    const ok = await pipeline.run(video);
    const ms = performance.now() - start;
    if (i < warmup) continue;
    times_ms.push(ms);
    if (ok) described++;
  }
  if (times_ms.length === 0) throw new Error('no frame timed within ' + seconds + ' s (still warming up)');
  window.__bench = { backend: pipeline.backend, load_ms, times_ms, described, isolated: crossOriginIsolated };
} catch (error) {
  window.__bench = { error: String(error && error.stack ? error.stack : error) };
}
`;

const page = (title: string, setup: string) => `<!doctype html>
<html><head><meta charset="utf-8"><title>${title}</title></head><body>
<script type="module">
${setup}
${HARNESS}
</script></body></html>
`;

/**
 * face-api: tiny face detector (its default 416 input), the 68-point landmark net, the 128-d
 * recognition descriptor, for the single best face, which is what the app does per frame.
 */
export const FACE_API_PAGE = page(
  'face-api bench',
  `
import * as faceapi from '/face-api/dist/face-api.esm.js';
async function setup(backend) {
  if (backend === 'wasm') faceapi.tf.setWasmPaths('/tfjs-wasm/');
  if (!(await faceapi.tf.setBackend(backend))) throw new Error('backend ' + backend + ' failed');
  await faceapi.tf.ready();
  await faceapi.nets.tinyFaceDetector.loadFromUri('/face-api/model');
  await faceapi.nets.faceLandmark68Net.loadFromUri('/face-api/model');
  await faceapi.nets.faceRecognitionNet.loadFromUri('/face-api/model');
  const options = new faceapi.TinyFaceDetectorOptions();
  return {
    backend: faceapi.tf.getBackend(),
    async run(video) {
      const face = await faceapi.detectSingleFace(video, options).withFaceLandmarks().withFaceDescriptor();
      return Boolean(face && face.descriptor && face.descriptor.length === 128);
    },
  };
}
`,
);

/**
 * Human: face detection (BlazeFace back model) and the description model (embedding), every other
 * model off; no result caching or frame skipping, so every timed frame runs both models.
 */
export const HUMAN_PAGE = page(
  'Human bench',
  `
import { Human } from '/human/dist/human.esm.js';
async function setup(backend) {
  const human = new Human({
    backend,
    wasmPath: '/tfjs-wasm/',
    modelBasePath: '/human/models/',
    debug: false,
    warmup: 'none',
    cacheSensitivity: 0,
    skipAllowed: false,
    filter: { enabled: false },
    face: {
      enabled: true,
      detector: { rotation: false, maxDetected: 1, skipFrames: 0, skipTime: 0, return: false },
      mesh: { enabled: false },
      attention: { enabled: false },
      iris: { enabled: false },
      description: { enabled: true, skipFrames: 0, skipTime: 0 },
      emotion: { enabled: false },
      antispoof: { enabled: false },
      liveness: { enabled: false },
      gear: { enabled: false },
    },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
  });
  await human.load();
  await human.tf.ready();
  return {
    backend: human.tf.getBackend(),
    async run(video) {
      const result = await human.detect(video);
      const face = result.face[0];
      return Boolean(face && face.embedding && face.embedding.length > 0);
    },
  };
}
`,
);
