/**
 * What each security level's false-accept promise is worth on a set of labelled face embeddings,
 * 1:1 and 1:N, at given thresholds (DOM-free; scripts/eval.ts and calibrate-levels.ts use it).
 *
 * 1:1 counts every image pair of the set, not only the pairs a pairs.txt lists: 300 impostor
 * pairs a fold cannot resolve a 1e-4 promise, while all cross-person pairs of a few thousand
 * images give millions. The folds of a View-2 pairs file hold disjoint people, so images of
 * different people are impostors across folds too.
 *
 * 1:N is simulated from the people of the set, one random image as each enrolled template:
 * - stranger attempt: a probe image against N enrolled people, none of them the probe's person;
 *   a false accept when any score reaches the level's 1:N threshold (stricter than the app, whose
 *   margin rule can still call a close top two ambiguous);
 * - genuine attempt: a probe against its own person (another image) among N - 1 others; accepted
 *   when its own score reaches the threshold and beats every other score.
 * Images without a face are left out (the app makes no decision on a frame without a face) and
 * counted apart.
 */

import {
  identifyThreshold,
  LEVEL_FAR,
  type CalibratedThresholds,
} from '../../src/lib/math/open-set.ts';
import { SECURITY_LEVELS, type SecurityLevel } from '../../src/lib/math/match.ts';
import { seededRandom } from '../../src/lib/math/seeded-random.ts';
import { THRESHOLD_EPSILON } from './calibrate.ts';

export interface LabelledSet {
  /** Person of each image. */
  people: readonly string[];
  /** Unit embeddings, one per image, in the same order. */
  embeddings: readonly Float32Array[];
}

/** Cosine (dot of unit vectors) of every image pair, row-major n x n. */
export function similarityMatrix(set: LabelledSet): Float32Array {
  const n = set.embeddings.length;
  const sim = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    const a = set.embeddings[i] as Float32Array;
    sim[i * n + i] = 1;
    for (let j = i + 1; j < n; j++) {
      const b = set.embeddings[j] as Float32Array;
      let s = 0;
      for (let k = 0; k < a.length; k++) s += (a[k] as number) * (b[k] as number);
      sim[i * n + j] = s;
      sim[j * n + i] = s;
    }
  }
  return sim;
}

/** Image indices grouped by person, persons in first-seen order. */
export function groupByPerson(people: readonly string[]): number[][] {
  const groups = new Map<string, number[]>();
  people.forEach((p, i) => {
    const g = groups.get(p);
    if (g) g.push(i);
    else groups.set(p, [i]);
  });
  return [...groups.values()];
}

/** Every pair's score, split into genuine (same person) and impostor, each sorted descending. */
export function pairScores(
  people: readonly string[],
  sim: Float32Array,
): { genuine: Float64Array; impostor: Float64Array } {
  const n = people.length;
  const genuine: number[] = [];
  let impostorCount = 0;
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) if (people[i] !== people[j]) impostorCount++;
  const impostor = new Float64Array(impostorCount);
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = sim[i * n + j] as number;
      if (people[i] === people[j]) genuine.push(s);
      else impostor[k++] = s;
    }
  }
  const g = Float64Array.from(genuine);
  return { genuine: g.sort().reverse(), impostor: impostor.sort().reverse() };
}

/** How many of the descending-sorted scores are >= threshold (binary search). */
export function countAtOrAbove(sortedDesc: Float64Array, threshold: number): number {
  let lo = 0;
  let hi = sortedDesc.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sortedDesc[mid] as number) >= threshold) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The lowest threshold (up to THRESHOLD_EPSILON) accepting at most floor(far * n) of the
 * descending-sorted impostor scores: the convention of calibrate.ts thresholdAtFar, on a typed
 * array because a set of a few thousand images has millions of impostor pairs.
 */
export function thresholdForFar(impostorDesc: Float64Array, far: number): number {
  const n = impostorDesc.length;
  if (n === 0) throw new Error('no impostor scores to calibrate on');
  const k = Math.floor(n * far * (1 + 1e-9));
  if (k >= n) return impostorDesc[n - 1] as number;
  return (impostorDesc[k] as number) + THRESHOLD_EPSILON;
}

export interface OneToOne {
  far: number;
  frr: number;
  false_accepts: number;
  impostor_pairs: number;
  false_rejects: number;
  genuine_pairs: number;
}

export function oneToOne(
  scores: { genuine: Float64Array; impostor: Float64Array },
  threshold: number,
): OneToOne {
  const fa = countAtOrAbove(scores.impostor, threshold);
  const ga = countAtOrAbove(scores.genuine, threshold);
  const ng = scores.genuine.length;
  return {
    far: fa / Math.max(1, scores.impostor.length),
    frr: ng ? (ng - ga) / ng : NaN,
    false_accepts: fa,
    impostor_pairs: scores.impostor.length,
    false_rejects: ng - ga,
    genuine_pairs: ng,
  };
}

export interface OneToN {
  enrolled: number;
  threshold: number;
  /** Stranger attempts with a score at or over the threshold / stranger attempts. */
  far: number;
  false_accepts: number;
  stranger_attempts: number;
  /** Genuine attempts not accepted as their own person / genuine attempts. */
  frr: number;
  false_rejects: number;
  genuine_attempts: number;
  /**
   * N x the per-comparison impostor rate at this threshold over all pairs: the union bound on
   * the per-attempt rate for a random gallery of N; the only figure when the set has too few
   * people to enrol N strangers.
   */
  far_union_bound: number;
  /** Why `far`/`frr` are null (too few people), if they are. */
  note?: string;
}

/** Draws `count` distinct indices from [0, n) except `skip`, by a partial Fisher-Yates on `pool`. */
function drawOthers(
  pool: Int32Array,
  count: number,
  skip: number,
  random: () => number,
  out: Int32Array,
): void {
  // pool holds 0..n-1 in some order; move `skip` to the end and draw from the rest.
  const n = pool.length;
  const at = pool.indexOf(skip);
  [pool[at], pool[n - 1]] = [pool[n - 1] as number, pool[at] as number];
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (n - 1 - i));
    const t = pool[i] as number;
    pool[i] = pool[j] as number;
    pool[j] = t;
    out[i] = pool[i] as number;
  }
}

/**
 * Simulated 1:N attempts (see the file comment): `trials` stranger and genuine attempts per
 * probe image, galleries drawn afresh for each, seeded so a re-run gives the same numbers.
 */
export function oneToN(
  people: readonly string[],
  sim: Float32Array,
  impostorDesc: Float64Array,
  enrolled: number,
  threshold: number,
  trials: number,
  seed = 1,
): OneToN {
  const n = people.length;
  const groups = groupByPerson(people);
  const personOf = new Int32Array(n);
  groups.forEach((g, p) => g.forEach((i) => (personOf[i] = p)));
  const perComparison = countAtOrAbove(impostorDesc, threshold) / Math.max(1, impostorDesc.length);
  const base = {
    enrolled,
    threshold,
    far_union_bound: Math.min(1, enrolled * perComparison),
  };
  if (groups.length - 1 < enrolled) {
    return {
      ...base,
      far: NaN,
      false_accepts: 0,
      stranger_attempts: 0,
      frr: NaN,
      false_rejects: 0,
      genuine_attempts: 0,
      note: `${groups.length} people: too few to enrol ${enrolled} strangers`,
    };
  }
  const random = seededRandom(seed);
  const pool = Int32Array.from(groups.keys());
  const others = new Int32Array(enrolled);
  const pick = (p: number) => {
    const g = groups[p] as number[];
    return g[Math.floor(random() * g.length)] as number;
  };
  let strangerAttempts = 0;
  let falseAccepts = 0;
  let genuineAttempts = 0;
  let accepted = 0;
  for (let t = 0; t < trials; t++) {
    for (let probe = 0; probe < n; probe++) {
      const own = personOf[probe] as number;
      const row = probe * n;
      // Stranger: N people other than the probe's own.
      drawOthers(pool, enrolled, own, random, others);
      let best = -Infinity;
      for (let k = 0; k < enrolled; k++) {
        const s = sim[row + pick(others[k] as number)] as number;
        if (s > best) best = s;
      }
      strangerAttempts++;
      if (best >= threshold) falseAccepts++;
      // Genuine: another image of the probe's person among N - 1 others.
      const g = groups[own] as number[];
      if (g.length < 2) continue;
      let mate = g[Math.floor(random() * (g.length - 1))] as number;
      if (mate === probe) mate = g[g.length - 1] as number;
      const ownScore = sim[row + mate] as number;
      drawOthers(pool, enrolled - 1, own, random, others);
      let rival = -Infinity;
      for (let k = 0; k < enrolled - 1; k++) {
        const s = sim[row + pick(others[k] as number)] as number;
        if (s > rival) rival = s;
      }
      genuineAttempts++;
      if (ownScore >= threshold && ownScore > rival) accepted++;
    }
  }
  return {
    ...base,
    far: falseAccepts / strangerAttempts,
    false_accepts: falseAccepts,
    stranger_attempts: strangerAttempts,
    frr: genuineAttempts ? (genuineAttempts - accepted) / genuineAttempts : NaN,
    false_rejects: genuineAttempts - accepted,
    genuine_attempts: genuineAttempts,
  };
}

export interface LevelReport extends OneToOne {
  level: SecurityLevel;
  promised_far: number;
  threshold: number;
  identify: OneToN[];
}

export interface LevelsOptions {
  enrolled: readonly number[];
  trials: number;
  seed?: number;
}

/** Each security level at the given calibrated thresholds, 1:1 and 1:N per N. */
export function levelsReport(
  people: readonly string[],
  sim: Float32Array,
  scores: { genuine: Float64Array; impostor: Float64Array },
  thresholds: CalibratedThresholds,
  options: LevelsOptions,
): LevelReport[] {
  return SECURITY_LEVELS.map(({ level }) => ({
    level,
    promised_far: LEVEL_FAR[level],
    threshold: thresholds[level],
    ...oneToOne(scores, thresholds[level]),
    identify: options.enrolled.map((n) =>
      oneToN(
        people,
        sim,
        scores.impostor,
        n,
        identifyThreshold(thresholds, level, n),
        options.trials,
        options.seed ?? 1,
      ),
    ),
  }));
}

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toPrecision(2)}%` : '-');

/** A plain-text table of a levels report, for the console. */
export function levelsTable(levels: readonly LevelReport[]): string {
  const lines = ['level     threshold  promised  1:1 FAR  1:1 FRR  | 1:N (N: threshold FAR FRR)'];
  for (const l of levels) {
    const nCols = l.identify
      .map((i) => `N=${i.enrolled}: ${i.threshold.toFixed(3)} ${pct(i.far)} ${pct(i.frr)}`)
      .join('  ');
    lines.push(
      `${l.level}  ${l.threshold.toFixed(4)}     ${pct(l.promised_far).padEnd(8)}  ${pct(l.far).padEnd(7)}  ${pct(l.frr).padEnd(7)}  | ${nCols}`,
    );
  }
  return lines.join('\n');
}

/**
 * Each level's threshold as the highest of the sets' own: a promise calibrated on one set alone
 * fails on a set whose strangers score higher (LFW's news photos vs whole in-the-wild photos).
 */
export function highestPerLevel(
  perSet: readonly CalibratedThresholds[],
): Record<SecurityLevel, number> {
  if (perSet.length === 0) throw new Error('no calibration sets');
  const out = { 'far_1e-3': -1, 'far_1e-4': -1, 'far_1e-5': -1 };
  for (const { level } of SECURITY_LEVELS) {
    out[level] = Math.max(...perSet.map((t) => t[level]));
  }
  return out;
}
