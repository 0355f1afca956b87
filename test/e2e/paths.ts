import { resolve } from 'node:path';

/** LFW lives beside the repository (../shared/data/lfw); never copied into it. */
export const LFW = resolve(
  process.env.FACEGATE_LFW ?? resolve(import.meta.dirname, '../../../shared/data/lfw'),
);
export const E2E_CACHE = resolve(import.meta.dirname, '../../.cache/e2e');

export const lfwPhoto = (person: string, n: number) =>
  resolve(LFW, person, `${person}_${String(n).padStart(4, '0')}.jpg`);

export const fakeCamera = (name: string) => resolve(E2E_CACHE, `${name}.y4m`);
