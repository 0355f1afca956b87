import { readFileSync } from 'node:fs';
import { parsePairs, peopleInFolds, type LfwPair } from './lfw-pairs.ts';
import type { CropRecord } from '../prepare-dataset.ts';

/**
 * Identity-disjoint use of LFW. The test folds' people are never trained on; a calibration fold's
 * people set the app's thresholds; a validation fold (optional) guides development; everyone
 * else with at least two aligned images is training data.
 */
export interface Splits {
  pairs: LfwPair[];
  testPeople: Set<string>;
  calibPeople: Set<string>;
  valPeople: Set<string>;
  train: CropRecord[];
  classes: string[];
}

export function makeSplits(
  pairsFile: string,
  records: readonly CropRecord[],
  folds: { test: number[]; calib: number[]; val: number[] },
  minImages = 2,
): Splits {
  const pairs = parsePairs(readFileSync(pairsFile, 'utf8'));
  const testPeople = peopleInFolds(pairs, folds.test);
  const calibPeople = peopleInFolds(pairs, folds.calib);
  const valPeople = peopleInFolds(pairs, folds.val);
  const held = (p: string) => testPeople.has(p) || calibPeople.has(p) || valPeople.has(p);
  for (const p of calibPeople) {
    if (testPeople.has(p)) throw new Error(`${p} is in both the calibration and the test folds`);
  }
  const byPerson = new Map<string, CropRecord[]>();
  for (const r of records) {
    if (!r.crop || held(r.person)) continue;
    const list = byPerson.get(r.person) ?? [];
    list.push(r);
    byPerson.set(r.person, list);
  }
  const classes = [...byPerson.keys()]
    .filter((p) => (byPerson.get(p)?.length ?? 0) >= minImages)
    .sort();
  const train = classes.flatMap((p) => byPerson.get(p) ?? []);
  return { pairs, testPeople, calibPeople, valPeople, train, classes };
}
