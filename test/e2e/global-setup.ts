import { existsSync } from 'node:fs';
import { makeFakeCamera } from '../../scripts/make-fake-camera.ts';
import { fakeCamera, LFW, lfwPhoto } from './paths.ts';

/** Fake camera videos made from LFW photos; regenerated each run so they always match the script. */
export const CAMERAS: Record<string, string[]> = {
  'one-face': [lfwPhoto('George_W_Bush', 1)],
  'two-faces': [`${lfwPhoto('Colin_Powell', 1)}+${lfwPhoto('Gray_Davis', 1)}`],
  blank: ['blank'],
};

export default function globalSetup(): void {
  if (!existsSync(LFW)) {
    throw new Error(`LFW not found at ${LFW}; set FACEGATE_LFW to the lfw folder`);
  }
  for (const [name, entries] of Object.entries(CAMERAS)) {
    makeFakeCamera({ entries, out: fakeCamera(name), framesPerEntry: 15, fps: 15 });
  }
}
