/**
 * Copies the face-mesh landmark model (MediaPipe Face Mesh, tfjs graph model shipped by the pinned
 * @vladmandic/human package, MIT) into public/landmarks/ (generated, gitignored) so the app serves
 * it itself. The bytes are checked against the hashes the app also checks (LANDMARK_MODEL_FILES).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LANDMARK_MODEL_FILES } from '../src/lib/vision/landmark-model-files.ts';

const from = resolve(import.meta.dirname, '../node_modules/@vladmandic/human/models');
const to = resolve(import.meta.dirname, '../public/landmarks');
mkdirSync(to, { recursive: true });
for (const file of LANDMARK_MODEL_FILES) {
  const bytes = readFileSync(join(from, file.name));
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== file.sha256) {
    throw new Error(
      `${file.name} in @vladmandic/human has sha256 ${sha}, expected ${file.sha256}: is the package version the pinned one?`,
    );
  }
  writeFileSync(join(to, file.name), bytes);
  console.log(`copied ${file.name} to public/landmarks/`);
}
