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
