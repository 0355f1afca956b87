/**
 * The files the app serves straight from other packages, as vite-plugin-static-copy targets: the
 * same URLs in `vite build` (written into dist/) and in the dev server (served from node_modules,
 * which the dataset scripts' batch page loads through scripts/lib/batch-runner.ts). Nothing of
 * this is kept in public/, so an install has no copy step to forget.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Target } from 'vite-plugin-static-copy';
import {
  LANDMARK_MODEL_DIR,
  LANDMARK_MODEL_FILES,
} from '../../src/lib/vision/landmark-model-files.ts';

const TFJS_WASM = 'node_modules/@tensorflow/tfjs-backend-wasm';
const MEDIAPIPE_WASM = 'node_modules/@mediapipe/tasks-vision/wasm';
const HUMAN_MODELS = 'node_modules/@vladmandic/human/models';

/** tfjs's wasm binaries, every variant: the backend picks one by what the browser supports. */
const TFJS_BINARIES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
];

/**
 * MediaPipe's classic build (the dataset tools' pages) and its ES-module build (the frame-pipeline
 * worker is a module worker), as src/lib/vision/detector.ts names them.
 */
const MEDIAPIPE_FILES = [
  'vision_wasm_internal.js',
  'vision_wasm_internal.wasm',
  'vision_wasm_module_internal.js',
  'vision_wasm_module_internal.wasm',
];

export type PinnedFile = { readonly name: string; readonly sha256: string };

/** `bytes` unchanged when they are the pinned ones for `name`; throws otherwise. */
export function checkPinned(
  name: string,
  bytes: Buffer,
  pins: readonly PinnedFile[] = LANDMARK_MODEL_FILES,
): Buffer {
  const pin = pins.find((p) => p.name === name);
  if (!pin) throw new Error(`${name} has no pinned sha256`);
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== pin.sha256) {
    throw new Error(
      `${name} has sha256 ${sha}, expected ${pin.sha256}: is the package version the pinned one?`,
    );
  }
  return bytes;
}

/**
 * The pthread worker script of tfjs's threaded wasm, from the CommonJS module that exports it as a
 * string. Newlines become backslash-n as tfjs does before making its blob: they sit inside the
 * script's string literals. scripts/lib/tfjs-wasm-threads-plugin.ts points tfjs at this file
 * because the CSP refuses the blob:.
 */
export function pthreadWorkerScript(workerModulePath: string): string {
  const { wasmWorkerContents } = createRequire(import.meta.url)(workerModulePath) as {
    wasmWorkerContents: string;
  };
  return wasmWorkerContents.replace(/\n/g, '\\n');
}

/**
 * One target per file, so a file missing from its package fails the build by name. Version 3 of
 * the plugin (the last for Node 20; 4 asks for Node 22) copies flat into `dest` by default.
 */
function file(src: string, dest: string, transform?: Target['transform']): Target {
  return { src, dest, ...(transform ? { transform } : {}) };
}

export function vendorAssetTargets(): Target[] {
  return [
    ...TFJS_BINARIES.map((name) => file(`${TFJS_WASM}/dist/${name}`, 'tfjs')),
    // The emscripten loader each pthread imports, served as a file instead of tfjs's blob:.
    file(`${TFJS_WASM}/wasm-out/tfjs-backend-wasm-threaded-simd.js`, 'tfjs'),
    file(`${TFJS_WASM}/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js`, 'tfjs', (_, path) =>
      pthreadWorkerScript(path),
    ),
    ...MEDIAPIPE_FILES.map((name) => file(`${MEDIAPIPE_WASM}/${name}`, 'mediapipe')),
    // The app checks these hashes again when it loads them (src/lib/vision/landmarker.ts).
    ...LANDMARK_MODEL_FILES.map(({ name }) =>
      file(`${HUMAN_MODELS}/${name}`, LANDMARK_MODEL_DIR.replace(/\/$/, ''), {
        encoding: 'buffer',
        handler: (bytes: Buffer) => checkPinned(name, bytes),
      }),
    ),
  ];
}
