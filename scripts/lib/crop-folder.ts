/**
 * A crop folder (made by prepare-dataset) records the front end that made it. Crops of another
 * front end (detector keypoints vs mesh points) differ in alignment, and a model trained or
 * evaluated on the wrong ones silently loses accuracy, so readers refuse them.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FRONT_END_VERSION } from '../../src/lib/vision/front-end-version.ts';
import type { CropRecord } from '../prepare-dataset.ts';

const MARKER = 'front-end.json';

export function frontEndTag(refine: boolean): string {
  return `${FRONT_END_VERSION}${refine ? '-refine' : ''}`;
}

/** Throws unless the folder is empty of crops or was made by this front end; marks it if new. */
export function claimCropFolder(dir: string, refine: boolean): void {
  const tag = frontEndTag(refine);
  const marker = join(dir, MARKER);
  if (existsSync(marker)) {
    const made = (JSON.parse(readFileSync(marker, 'utf8')) as { frontEnd: string }).frontEnd;
    if (made !== tag) {
      throw new Error(
        `${dir} holds crops made by front end "${made}", not "${tag}": delete it or choose another --out`,
      );
    }
  } else if (existsSync(join(dir, 'index.jsonl'))) {
    throw new Error(
      `${dir} holds crops from before the mesh front end (${FRONT_END_VERSION}): delete it or choose another --out`,
    );
  } else {
    writeFileSync(marker, `${JSON.stringify({ frontEnd: tag })}\n`);
  }
}

/** For readers: the folder's crops must come from the current front end (either variant). */
function assertCurrentCrops(dir: string): void {
  const marker = join(dir, MARKER);
  const made = existsSync(marker)
    ? (JSON.parse(readFileSync(marker, 'utf8')) as { frontEnd: string }).frontEnd
    : 'unknown (made before the mesh front end)';
  if (!made.startsWith(FRONT_END_VERSION)) {
    throw new Error(
      `${dir} holds crops made by front end ${made}, not ${FRONT_END_VERSION}: run npm run prepare-dataset -- --data <folder> --out <new folder> first`,
    );
  }
}

/** The records of a crop folder that have a crop, refusing a folder made by another front end. */
export function readAlignedCrops(dir: string): CropRecord[] {
  assertCurrentCrops(dir);
  return (JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as CropRecord[]).filter(
    (r) => r.crop,
  );
}
