/// <reference types="node" />
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CropPixels } from '../../src/lib/embedding/preprocess';
import type { ModelManifest } from '../../src/lib/embedding/manifest';
import { parseManifest } from '../../src/lib/embedding/manifest-parse';

/** LFW beside the repository, read in place (never copied into it). */
export const LFW = resolve(
  process.env.FACEGATE_LFW ?? resolve(import.meta.dirname, '../../../shared/data/lfw'),
);
export const MODELS = resolve(import.meta.dirname, '../../models');

export const lfwFile = (person: string, n: number) =>
  `${person}/${person}_${String(n).padStart(4, '0')}.jpg`;

/**
 * A 112x112 RGBA centre crop of an LFW photo (deep-funnelled, so the face sits in the middle),
 * decoded by ffmpeg. Not the app's alignment; enough where any real face picture will do.
 */
export function centreCrop(file: string): CropPixels {
  const bytes = execFileSync(
    'ffmpeg',
    [
      '-v',
      'error',
      '-i',
      resolve(LFW, file),
      '-vf',
      'crop=130:130:60:65,scale=112:112',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgba',
      '-',
    ],
    { maxBuffer: 1 << 20 },
  );
  return { data: new Uint8Array(bytes), width: 112, height: 112 };
}

export function readModelManifest(): ModelManifest {
  return parseManifest(readFileSync(resolve(MODELS, 'manifest.json'), 'utf8'));
}

export const fetchModelFile = (path: string) => {
  const b = readFileSync(resolve(MODELS, path));
  return Promise.resolve(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

export const haveLfw = existsSync(LFW);
