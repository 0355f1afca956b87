/**
 * Thresholds for 1:N identification at a false-accept rate per attempt, not per comparison.
 *
 * A stranger who tries to unlock an identify (1:N) gate is compared with every one of the N
 * enrolled people, so they get N chances: at a per-comparison false-accept rate f the chance that
 * at least one comparison passes is 1 - (1 - f)^N, about N f. To keep the rate the security level
 * promises per attempt, each comparison must be held to f / N (the union bound, which is never
 * below the exact 1 - (1 - f)^(1/N) and so errs on the safe side).
 *
 * The model manifest calibrates a cosine threshold at three rates (1e-3, 1e-4, 1e-5). A threshold
 * for another rate comes from the line through those points in (log10 FAR, cosine): interpolated
 * between them and extrapolated beyond with the slope of the nearest segment. Impostor score
 * tails fall faster than exponentially (roughly Gaussian), so straight-line extrapolation in
 * log10 FAR asks for a higher cosine than strictly needed: the true rate at the extrapolated
 * threshold is at or below the target, never above it.
 */

import type { SecurityLevel } from './match';

/** A model's calibrated cosine thresholds (models/manifest.json `thresholds`). */
export type CalibratedThresholds = Readonly<Record<SecurityLevel, number>>;

/** The false-accept rate each security level stands for. */
export const LEVEL_FAR: Readonly<Record<SecurityLevel, number>> = {
  'far_1e-3': 1e-3,
  'far_1e-4': 1e-4,
  'far_1e-5': 1e-5,
};

const CALIBRATED: readonly SecurityLevel[] = ['far_1e-3', 'far_1e-4', 'far_1e-5'];

/**
 * The cosine threshold for a per-comparison false-accept rate `far` in (0, 1], piecewise linear in
 * log10(far) through the calibrated points, extrapolated with the end segments' slopes, and never
 * above 1 (no cosine exceeds it). Throws on calibrated thresholds that do not rise as the rate
 * falls, which would make the extrapolation meaningless.
 */
export function thresholdAtFar(thresholds: CalibratedThresholds, far: number): number {
  if (!(far > 0 && far <= 1)) throw new Error(`a false-accept rate must be in (0, 1], got ${far}`);
  const points = CALIBRATED.map((level) => ({
    x: Math.log10(LEVEL_FAR[level]),
    y: thresholds[level],
  }));
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    if (!a || !b || !Number.isFinite(a.y) || !Number.isFinite(b.y) || b.y <= a.y) {
      throw new Error(
        'calibrated thresholds must be finite and rise as the false-accept rate falls',
      );
    }
  }
  const x = Math.log10(far);
  // Points run from the highest rate (largest x) to the lowest; pick the segment x falls in, or
  // the first/last one to extrapolate.
  let i = 1;
  while (i < points.length - 1 && x < (points[i] as { x: number }).x) i++;
  const a = points[i - 1] as { x: number; y: number };
  const b = points[i] as { x: number; y: number };
  const y = a.y + ((x - a.x) * (b.y - a.y)) / (b.x - a.x);
  return Math.min(y, 1);
}

/**
 * The per-comparison threshold that keeps a 1:N attempt against `enrolled` people at the
 * security level's false-accept rate: the threshold at rate FAR(level) / N. With one person (or
 * none) it is the calibrated 1:1 threshold itself.
 */
export function identifyThreshold(
  thresholds: CalibratedThresholds,
  level: SecurityLevel,
  enrolled: number,
): number {
  const n = Math.max(1, Math.floor(enrolled));
  if (n === 1) return thresholds[level];
  return thresholdAtFar(thresholds, LEVEL_FAR[level] / n);
}

/** The per-attempt rate N comparisons at per-comparison rate f give a stranger: 1 - (1 - f)^N. */
export function perAttemptFar(perComparison: number, enrolled: number): number {
  return 1 - Math.pow(1 - perComparison, Math.max(0, enrolled));
}
