/**
 * The statistics of the texture evaluation (scripts/eval-texture.ts): windows of frame scores,
 * person-weighted quantiles and leave-one-person-out thresholds. Pure functions, no tfjs.
 */

/** The q-quantile (0..1) of `values`, linear between order statistics; NaN for none. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const pos = Math.min(Math.max(q, 0), 1) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[hi] ?? Number.NaN;
  return a + (b - a) * (pos - lo);
}

/**
 * The q-quantile of groups of values where every group weighs the same (each value 1/size of its
 * group): one long clip cannot outvote the other people. The lowest value whose cumulative weight
 * reaches q of the total.
 */
export function groupWeightedQuantile(groups: readonly (readonly number[])[], q: number): number {
  const items: { v: number; w: number }[] = [];
  for (const g of groups) {
    const finite = g.filter((v) => Number.isFinite(v));
    for (const v of finite) items.push({ v, w: 1 / finite.length });
  }
  if (items.length === 0) return Number.NaN;
  items.sort((a, b) => a.v - b.v);
  const total = items.reduce((s, x) => s + x.w, 0);
  let cum = 0;
  for (const x of items) {
    cum += x.w;
    if (cum >= q * total - 1e-12) return x.v;
  }
  return items[items.length - 1]!.v;
}

/**
 * Window scores of one clip: consecutive, non-overlapping windows of `size` frames; a window's
 * score is the median of its frames with a score (a face found), or NaN when fewer than half of
 * its frames have one. A last, shorter window counts when it is at least half a window.
 */
export function windowScores(frames: readonly (number | null)[], size: number): number[] {
  const out: number[] = [];
  for (let start = 0; start < frames.length; start += size) {
    const chunk = frames.slice(start, start + size);
    if (chunk.length < size / 2) break;
    const found = chunk.filter((v): v is number => v !== null && Number.isFinite(v));
    out.push(found.length * 2 >= chunk.length ? quantile(found, 0.5) : Number.NaN);
  }
  return out;
}

/** The fraction of `values` (finite only) for which `test` holds; NaN for none. */
export function fraction(values: readonly number[], test: (v: number) => boolean): number {
  const finite = values.filter((v) => Number.isFinite(v));
  return finite.length === 0 ? Number.NaN : finite.filter(test).length / finite.length;
}

/**
 * Area under the ROC curve for "a genuine value is higher than an attack value" (ties count
 * half): 1 = every genuine above every attack, 0.5 = no separation, 0 = reversed.
 */
export function auc(genuine: readonly number[], attack: readonly number[]): number {
  const g = genuine.filter((v) => Number.isFinite(v));
  const a = attack.filter((v) => Number.isFinite(v));
  if (g.length === 0 || a.length === 0) return Number.NaN;
  let wins = 0;
  for (const x of g) for (const y of a) wins += x > y ? 1 : x === y ? 0.5 : 0;
  return wins / (g.length * a.length);
}

export interface Fold {
  /** The genuine person held out. */
  heldOut: string;
  /** From the other people's genuine windows only (person-weighted quantile). */
  threshold: number;
  heldOutWindows: number;
  /** The held-out person's genuine windows below the threshold (refused). */
  heldOutRefusal: number;
  /** The held-out person's 10th-percentile window minus the threshold (> 0: room to spare). */
  heldOutMargin: number;
  /** Attack windows at or above the threshold (accepted as live). */
  attackAcceptance: number;
  /** The threshold minus the attack's highest window (> 0: every attack window refused). */
  attackMargin: number;
  /** The threshold minus the attack's median window. */
  attackMedianMargin: number;
}

/**
 * Leave one person out: for each genuine person, a threshold at the q-quantile of the other
 * people's genuine windows (each person weighing the same), then that person's refusal and the
 * attack windows' acceptance at it. Attacks are never used to place a threshold.
 */
export function leaveOnePersonOut(
  genuineByPerson: ReadonlyMap<string, readonly number[]>,
  attack: readonly number[],
  q: number,
): Fold[] {
  const folds: Fold[] = [];
  for (const [person, held] of genuineByPerson) {
    const others = [...genuineByPerson.entries()].filter(([p]) => p !== person).map(([, w]) => w);
    const threshold = groupWeightedQuantile(others, q);
    const finiteAttack = attack.filter((v) => Number.isFinite(v));
    folds.push({
      heldOut: person,
      threshold,
      heldOutWindows: held.filter((v) => Number.isFinite(v)).length,
      heldOutRefusal: fraction(held, (v) => v < threshold),
      heldOutMargin: quantile(held, 0.1) - threshold,
      attackAcceptance: fraction(attack, (v) => v >= threshold),
      attackMargin: finiteAttack.length ? threshold - Math.max(...finiteAttack) : Number.NaN,
      attackMedianMargin: threshold - quantile(attack, 0.5),
    });
  }
  return folds;
}
