/** Copies tfjs's wasm binaries into public/tfjs/ (generated, gitignored) so the app serves them itself. */
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const from = resolve(import.meta.dirname, '../node_modules/@tensorflow/tfjs-backend-wasm/dist');
const to = resolve(import.meta.dirname, '../public/tfjs');
mkdirSync(to, { recursive: true });
for (const name of readdirSync(from).filter((f) => f.endsWith('.wasm'))) {
  copyFileSync(join(from, name), join(to, name));
  console.log(`copied ${name} to public/tfjs/`);
}

// The frame-pipeline worker is a module worker: it loads MediaPipe's ES-module build of the same
// wasm (src/lib/vision/detector.ts), which the detector's install step does not copy.
const mediapipeFrom = resolve(import.meta.dirname, '../node_modules/@mediapipe/tasks-vision/wasm');
const mediapipeTo = resolve(import.meta.dirname, '../public/mediapipe');
mkdirSync(mediapipeTo, { recursive: true });
for (const name of ['vision_wasm_module_internal.js', 'vision_wasm_module_internal.wasm']) {
  copyFileSync(join(mediapipeFrom, name), join(mediapipeTo, name));
  console.log(`copied ${name} to public/mediapipe/`);
}

// Threaded wasm: tfjs starts its pthread workers from blob: URLs, which the CSP's script-src 'self'
// refuses. Served as files of the app instead (scripts/lib/tfjs-wasm-threads-plugin.ts points tfjs
// at them): the emscripten loader the pthreads import, and the pthread worker script itself.
const wasmOut = resolve(from, '../wasm-out');
copyFileSync(
  join(wasmOut, 'tfjs-backend-wasm-threaded-simd.js'),
  join(to, 'tfjs-backend-wasm-threaded-simd.js'),
);
const { wasmWorkerContents } = createRequire(import.meta.url)(
  join(wasmOut, 'tfjs-backend-wasm-threaded-simd.worker.js'),
) as { wasmWorkerContents: string };
// The same escaping tfjs applies before making its blob: the string's newlines sit inside the
// worker's string literals.
writeFileSync(
  join(to, 'tfjs-backend-wasm-threaded-simd.worker.js'),
  wasmWorkerContents.replace(/\n/g, '\\n'),
);
console.log('wrote the threaded wasm loader and pthread worker to public/tfjs/');
