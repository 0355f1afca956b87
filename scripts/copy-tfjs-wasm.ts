/** Copies tfjs's wasm binaries into public/tfjs/ (generated, gitignored) so the app serves them itself. */
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
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
