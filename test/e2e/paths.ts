import { resolve } from 'node:path';

/** LFW lives beside the repository (../shared/data/lfw); never copied into it. */
export const LFW = resolve(
  process.env.FACEGATE_LFW ?? resolve(import.meta.dirname, '../../../shared/data/lfw'),
);
/** The real face videos (d3.mp4, d9.mp4, ...), beside LFW; never copied into the repository. */
export const VIDEOS = resolve(
  process.env.FACEGATE_VIDEOS ?? resolve(import.meta.dirname, '../../../shared/data/videos'),
);
/** A real phone replay and the same man live, held to a webcam (videos-wild/attack-pair). */
export const ATTACK_PAIR = resolve(
  process.env.FACEGATE_ATTACK_PAIR ??
    resolve(import.meta.dirname, '../../../shared/data/videos-wild/attack-pair'),
);
export const E2E_CACHE = resolve(import.meta.dirname, '../../.cache/e2e');

export const lfwPhoto = (person: string, n: number) =>
  resolve(LFW, person, `${person}_${String(n).padStart(4, '0')}.jpg`);

/** The attack pair's two clips by name; any other name is one of VIDEOS. */
const ATTACK_PAIR_CLIPS = new Set(['webcam-genuine', 'phone-screen-replay']);
export const videoFile = (name: string) =>
  resolve(ATTACK_PAIR_CLIPS.has(name) ? ATTACK_PAIR : VIDEOS, `${name}.mp4`);

export const fakeCamera = (name: string) => resolve(E2E_CACHE, `${name}.y4m`);

/** An export file (People → Import) of real embeddings made by global-setup with models/. */
export const importFile = (name: string) => resolve(E2E_CACHE, `import-${name}.json`);

/** The passphrase global-setup encrypts its import files with (real-imports.ts). */
export const FILE_PASSPHRASE = 'e2e import passphrase';
