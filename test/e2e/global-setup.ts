import { existsSync } from 'node:fs';
import { makeFakeCamera } from '../../scripts/make-fake-camera.ts';
import { fakeCamera, LFW, lfwPhoto } from './paths.ts';

/** Fake camera videos made from LFW photos; regenerated each run so they always match the script. */
export const CAMERAS: Record<string, string[]> = {
  'one-face': [lfwPhoto('George_W_Bush', 1)],
  'two-faces': [`${lfwPhoto('Colin_Powell', 1)}+${lfwPhoto('Gray_Davis', 1)}`],
  blank: ['blank'],
  // People of LFW folds 6-10, whom the model never saw in training; photos that pass the quality gate.
  'alice-enroll': [1, 2, 5, 6, 7].map((n) => lfwPhoto('George_W_Bush', n)),
  'alice-verify': [8, 9, 10, 11].map((n) => lfwPhoto('George_W_Bush', n)),
  'bob-enroll': [1, 3, 4, 5, 6].map((n) => lfwPhoto('Gerhard_Schroeder', n)),
  'bob-verify': [7, 8, 9, 10].map((n) => lfwPhoto('Gerhard_Schroeder', n)),
  'carol-enroll': [2, 3, 4, 6, 8].map((n) => lfwPhoto('Jean_Chretien', n)),
};

export default function globalSetup(): void {
  if (!existsSync(LFW)) {
    throw new Error(`LFW not found at ${LFW}; set FACEGATE_LFW to the lfw folder`);
  }
  for (const [name, entries] of Object.entries(CAMERAS)) {
    makeFakeCamera({ entries, out: fakeCamera(name), framesPerEntry: 15, fps: 15 });
  }
}
