/**
 * The margin lab's geometry: angles between features and class weights, the decision regions of
 * each loss on the unit circle (with the margin band between them), the theoretical bounds on s and
 * m, and the projection used to draw a sphere. Pure TypeScript: no DOM, no tfjs.
 *
 * Conventions: angles in degrees where the name says Deg, radians otherwise; weights are
 * L2-normalised inside every function (only directions matter here); "cos θ_j" is the cosine between
 * a feature direction and class j's weight direction.
 */

import {
  arcfaceTargetCos,
  cosfaceMarginUpperBound,
  cosfaceScaleLowerBound,
  dot,
  l2normalize,
  spherefacePsi,
} from '../math/margin-losses';
import type { LabLoss, LabSettings } from './lab-types';

/**
 * One colour per class: the Okabe-Ito palette (Okabe & Ito 2008), distinguishable under the common
 * colour-vision deficiencies, ordered so that neighbouring labels differ in hue and lightness.
 * Classes past the eighth reuse it cyclically (see labColor).
 */
export const LAB_COLORS: readonly string[] = [
  '#0072B2', // blue
  '#E69F00', // orange
  '#009E73', // bluish green
  '#D55E00', // vermillion
  '#56B4E9', // sky blue
  '#CC79A7', // reddish purple
  '#F0E442', // yellow
  '#000000', // black
];

/** Grey for the margin band (region −1): no class wins there once the margin is applied. */
export const LAB_BAND_COLOR = '#BBBBBB';

export function labColor(cls: number): string {
  if (cls < 0) return LAB_BAND_COLOR;
  return LAB_COLORS[cls % LAB_COLORS.length] ?? '#000000';
}

const DEG = 180 / Math.PI;

function norm(v: readonly number[]): number {
  return Math.sqrt(dot(v, v));
}

/**
 * Angle between two vectors in degrees, in [0, 180]. Uses 2·atan2(‖â − b̂‖, ‖â + b̂‖), which stays
 * accurate near 0° and 180° (acos of the cosine loses half the digits there). NaN if either vector
 * is zero or the lengths differ.
 */
export function angleDeg(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return NaN;
  const na = norm(a);
  const nb = norm(b);
  if (!(na > 0) || !(nb > 0)) return NaN;
  let diff = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const u = (a[i] ?? 0) / na;
    const v = (b[i] ?? 0) / nb;
    diff += (u - v) ** 2;
    sum += (u + v) ** 2;
  }
  return 2 * Math.atan2(Math.sqrt(diff), Math.sqrt(sum)) * DEG;
}

/** Smallest angle between two class weight directions, degrees; NaN with fewer than two classes. */
export function minInterClassAngleDeg(weights: readonly number[][]): number {
  let best = Infinity;
  for (let i = 0; i < weights.length; i++) {
    for (let j = i + 1; j < weights.length; j++) {
      const a = angleDeg(weights[i] ?? [], weights[j] ?? []);
      if (a < best) best = a;
    }
  }
  return Number.isFinite(best) ? best : NaN;
}

/**
 * Mean angle between each feature and its own class's weight direction, degrees; NaN when there
 * are no features (or a zero vector makes an angle undefined).
 */
export function meanIntraClassAngleDeg(
  features: readonly number[][],
  labels: readonly number[],
  weights: readonly number[][],
): number {
  if (features.length === 0) return NaN;
  let acc = 0;
  features.forEach((x, i) => {
    acc += angleDeg(x, weights[labels[i] ?? -1] ?? []);
  });
  return acc / features.length;
}

/** Index of the largest value (the first one on ties); −1 for an empty list. */
function argmax(values: readonly number[]): number {
  let best = -1;
  let bestValue = -Infinity;
  values.forEach((v, i) => {
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  });
  return best;
}

function cosines(direction: readonly number[], unitWeights: readonly number[][]): number[] {
  const x = l2normalize(direction);
  return unitWeights.map((w) => dot(x, w));
}

/**
 * Share of samples whose nearest weight direction (largest cosine, no margin) is their own class.
 * NaN when there are no samples.
 */
export function nearestClassAccuracy(
  features: readonly number[][],
  labels: readonly number[],
  weights: readonly number[][],
): number {
  if (features.length === 0) return NaN;
  const unit = weights.map(l2normalize);
  let correct = 0;
  features.forEach((x, i) => {
    if (argmax(cosines(x, unit)) === labels[i]) correct++;
  });
  return correct / features.length;
}

/** The target-class value that must beat every other class's plain cosine. */
function marginTarget(cosTheta: number, loss: LabLoss, m: number): number {
  switch (loss) {
    case 'softmax':
    case 'nsl':
      return cosTheta;
    case 'cosface':
      return cosTheta - m;
    case 'arcface':
      return arcfaceTargetCos(cosTheta, m);
    case 'sphereface':
      return spherefacePsi(cosTheta, Math.max(1, Math.round(m)));
  }
}

function regionOfUnit(
  direction: readonly number[],
  unitWeights: readonly number[][],
  settings: Pick<LabSettings, 'loss' | 'm'>,
): number {
  const cos = cosines(direction, unitWeights);
  // Only the plain argmax can satisfy a margin condition: every target value is ≤ its own cosine
  // (cos θ − m, cos(θ + m) and ψ(θ) all are for m ≥ 0), so target_i > cos_j ∀j≠i implies
  // cos_i > cos_j. Checking the argmax alone is therefore exact.
  const i = argmax(cos);
  if (i < 0) return -1;
  if (settings.loss === 'softmax' || settings.loss === 'nsl') return i;
  const target = marginTarget(cos[i] ?? 0, settings.loss, settings.m);
  for (let j = 0; j < cos.length; j++) {
    if (j !== i && !(target > (cos[j] ?? 0))) return -1;
  }
  return i;
}

/**
 * The class whose decision region, margin included, contains a feature direction; −1 inside the
 * margin band (no class's margin-adjusted target beats all other plain cosines; ties count as the
 * band). Class i wins when
 *   cosface:    cos θ_i − m    > cos θ_j  for every j ≠ i
 *   arcface:    cos(θ_i + m)   > cos θ_j  (insightface fallback past θ = π − m, see arcfaceTargetCos)
 *   sphereface: ψ(θ_i)         > cos θ_j  (m rounded to an integer ≥ 1; pure A-Softmax, λ = 0)
 *   softmax, nsl: plain argmax of cos θ_j (first class on ties), so never −1.
 * Weights are normalised here, so softmax's regions are those of the weight directions: the real
 * softmax boundary (argmax ‖W_j‖ cos θ_j) also depends on the weight norms, which this ignores.
 */
export function regionAt(
  direction: readonly number[],
  weights: readonly number[][],
  settings: Pick<LabSettings, 'loss' | 'm'>,
): number {
  return regionOfUnit(direction, weights.map(l2normalize), settings);
}

/** One run of equal region along the circle, angles in radians (counter-clockwise from +x). */
export interface RegionArc {
  /** May be negative when the arc wraps through angle 0. */
  start: number;
  /** > start; end − start ≤ 2π. */
  end: number;
  /** Class index, or −1 for the margin band. */
  region: number;
}

export interface CircleRegions {
  /** The sample angles, 2πk/samples. */
  angles: number[];
  /** regionAt of each sample angle's direction. */
  regions: number[];
  /** Runs of equal region, boundaries refined by bisection between samples, in circle order. */
  arcs: RegionArc[];
}

function dir2(angle: number): number[] {
  return [Math.cos(angle), Math.sin(angle)];
}

/**
 * Decision regions around the unit circle for 2-D weights: the region of each of `samples` evenly
 * spaced directions, and the arcs merged from them. Arc boundaries are refined by bisection between
 * the two samples that straddle them (to ~1e-9 rad), so arc lengths are accurate even for thin
 * bands; a region thinner than the sample spacing can still be missed entirely.
 */
export function circleRegions(
  weights2d: readonly number[][],
  settings: Pick<LabSettings, 'loss' | 'm'>,
  samples = 720,
): CircleRegions {
  const n = Math.max(3, Math.floor(samples));
  const unit = weights2d.map(l2normalize);
  const regionOf = (angle: number): number => regionOfUnit(dir2(angle), unit, settings);
  const step = (2 * Math.PI) / n;
  const angles = Array.from({ length: n }, (_, k) => k * step);
  const regions = angles.map(regionOf);

  // Boundary between sample k and k + 1 (mod n), found by bisection.
  const boundary = (k: number): number => {
    let lo = k * step;
    let hi = lo + step;
    const left = regions[k];
    for (let it = 0; it < 40 && hi - lo > 1e-10; it++) {
      const mid = (lo + hi) / 2;
      if (regionOf(mid) === left) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  };

  const cuts: number[] = [];
  for (let k = 0; k < n; k++) if (regions[k] !== regions[(k + 1) % n]) cuts.push(k);

  if (cuts.length === 0) {
    return { angles, regions, arcs: [{ start: 0, end: 2 * Math.PI, region: regions[0] ?? -1 }] };
  }
  const edges = cuts.map(boundary);
  const arcs: RegionArc[] = [];
  for (let c = 0; c < edges.length; c++) {
    const start = edges[c] ?? 0;
    const nextIndex = (c + 1) % edges.length;
    let end = edges[nextIndex] ?? 0;
    if (end <= start) end += 2 * Math.PI;
    const firstSample = ((cuts[c] ?? 0) + 1) % n;
    arcs.push({ start, end, region: regions[firstSample] ?? -1 });
  }
  // Start the list with the arc containing angle 0, written with a negative start if it wraps.
  const wrapping = arcs.findIndex((a) => a.end > 2 * Math.PI);
  if (wrapping >= 0) {
    const [w] = arcs.splice(wrapping, 1);
    if (w) arcs.unshift({ ...w, start: w.start - 2 * Math.PI, end: w.end - 2 * Math.PI });
  }
  return { angles, regions, arcs };
}

/**
 * Minimum angle of the best arrangement of C points on the 2-sphere (the Tammes problem), degrees,
 * for the C where it is proven and has a closed form or a well-known value:
 *   C = 5, 6: 90° (C = 6 is the octahedron); C = 7: ≈ 77.87°;
 *   C = 8: acos((2√2 − 1)/7) ≈ 74.86° (square antiprism, Schütte & van der Waerden 1951);
 *   C = 9: acos(1/3) ≈ 70.53°; C = 10: ≈ 66.15°; C = 11, 12: atan 2 ≈ 63.43° (icosahedron).
 */
const TAMMES_3D_DEG: Readonly<Record<number, number>> = {
  5: 90,
  6: 90,
  7: 77.8695,
  8: Math.acos((2 * Math.SQRT2 - 1) / 7) * DEG,
  9: Math.acos(1 / 3) * DEG,
  10: 66.1468,
  11: Math.atan(2) * DEG,
  12: Math.atan(2) * DEG,
};

export interface MarginBounds {
  /** CosFace's lower bound on s for a class-centre posterior of at least pW (cosfaceScaleLowerBound). */
  sMin: number;
  /** CosFace's upper bound on the cosine margin as the seed states it (cosfaceMarginUpperBound). */
  cosfaceMMax: number;
  /** The same bound for ArcFace's additive angular margin, radians: acos(1 − cosfaceMMax). */
  arcfaceMMaxRad: number;
  /**
   * Whether the two bounds above are attained: true for featureDim = 2 (regular C-gon) and for
   * C ≤ featureDim + 1 (regular simplex); false otherwise, where they are only loose upper bounds.
   */
  exact: boolean;
  /**
   * Tighter values where known: for featureDim = 3 and 5 ≤ C ≤ 12 the Tammes-problem angle θ* gives
   * cosface 1 − cos θ* and arcface θ*; elsewhere equal to cosfaceMMax / arcfaceMMaxRad.
   */
  cosfaceMMaxTight: number;
  arcfaceMMaxRadTight: number;
  /** SphereFace has no upper bound of this kind; what limits its (integer) m instead. */
  sphereMNote: string;
}

/**
 * Bounds on s and m for C classes in featureDim dimensions.
 *
 * ArcFace bound, derived the way CosFace (Wang et al. 2018, §3.4) derives its cosine one: in the
 * extreme where every feature of class i lies exactly on W_i (θ_i = 0), class i still wins with the
 * margin iff cos(0 + m) > cos θ_ij for every other class j, i.e. m < θ_ij. So
 *   m_arc ≤ min_{i≠j} ∠(W_i, W_j),
 * maximised by spreading the weights uniformly, exactly as for CosFace (whose condition
 * 1 − m > cos θ_ij gives m_cos ≤ 1 − max W_i·W_j); the two bounds are related by
 * m_arc = acos(1 − m_cos):
 *   featureDim = 2:           2π/C            (regular C-gon; 45° for C = 8)
 *   C ≤ featureDim + 1:       acos(−1/(C−1))  (regular simplex)
 *   C > featureDim + 1 (≥ 3): acos(−1/(C−1)) is still an upper bound (the mean pairwise cosine of C
 *                             unit vectors is ≥ −1/(C−1), so the largest is too) but not attained;
 *                             the true value is the Tammes-problem angle (see the Tight fields).
 * Note the bound is the full inter-class angle 2π/C, not half of it: the decision band between two
 * classes Δ apart spans [(Δ − m)/2, (Δ + m)/2] from W_i (width m), so at m = Δ each class's region
 * shrinks to its weight direction. At π/C (half) each region is still Δ/2 wide in 2-D. As with
 * CosFace, a usable m is well below the bound: real features do not all sit on their weight.
 */
export function marginBounds(classes: number, featureDim: number, pW = 0.99): MarginBounds {
  const sMin = cosfaceScaleLowerBound(classes, pW);
  const cosfaceMMax = cosfaceMarginUpperBound(classes, featureDim);
  const arcfaceMMaxRad =
    featureDim === 2 ? (2 * Math.PI) / classes : Math.acos(Math.max(-1, 1 - cosfaceMMax));
  const exact = featureDim === 2 || classes <= featureDim + 1;
  const tammes = featureDim === 3 && !exact ? TAMMES_3D_DEG[classes] : undefined;
  const arcfaceMMaxRadTight = tammes !== undefined ? tammes / DEG : arcfaceMMaxRad;
  const cosfaceMMaxTight = tammes !== undefined ? 1 - Math.cos(arcfaceMMaxRadTight) : cosfaceMMax;
  return {
    sMin,
    cosfaceMMax,
    arcfaceMMaxRad,
    exact,
    cosfaceMMaxTight,
    arcfaceMMaxRadTight,
    sphereMNote:
      'A-Softmax has no upper bound of this kind: with every feature on its weight, ψ(0) = 1 beats ' +
      'any other cosine for every integer m. Its class region (mθ_i < θ_j near W_i) narrows as m grows, ' +
      'to Δ/(m + 1) of the gap; SphereFace (Liu et al. 2017) shows m ≥ 3 (multi-class) is needed for the ' +
      'largest intra-class angle to fall below the smallest inter-class one and uses m = 4, reached ' +
      'only with λ annealing.',
  };
}

/**
 * Orthographic projection of a 3-D point for drawing a sphere. World axes: x right, z up, y into
 * the screen. The view turns the world by yawDeg about z, then tilts it by pitchDeg about the screen's
 * x axis (pitch > 0 looks down on the north pole). Returns [x, y, depth]: screen x (right), screen y
 * (UP: negate for SVG), and depth (> 0 towards the viewer: the front hemisphere of a unit sphere).
 * A rotation, so a unit point stays at unit length.
 */
export function project3d(
  point: readonly number[],
  yawDeg: number,
  pitchDeg: number,
): [number, number, number] {
  const [x = 0, y = 0, z = 0] = point;
  const yaw = yawDeg / DEG;
  const pitch = pitchDeg / DEG;
  const x1 = x * Math.cos(yaw) - y * Math.sin(yaw);
  const y1 = x * Math.sin(yaw) + y * Math.cos(yaw);
  const y2 = y1 * Math.cos(pitch) - z * Math.sin(pitch);
  const z2 = y1 * Math.sin(pitch) + z * Math.cos(pitch);
  return [x1, z2, -y2];
}

/** Display names of the losses, as the figure, the legend and the table write them. */
export const LAB_LOSS_LABELS: Readonly<Record<LabLoss, string>> = {
  softmax: 'Softmax',
  nsl: 'NSL',
  sphereface: 'A-Softmax (SphereFace)',
  cosface: 'CosFace (LMCL)',
  arcface: 'ArcFace',
};

/**
 * The settings that shape the figure, in words: "CosFace (LMCL), s = 30, m = 0.35". Softmax has no
 * s or m; NSL no m; ArcFace's m is shown in radians and degrees; SphereFace's m as the integer used.
 */
export function describeSettings(settings: Pick<LabSettings, 'loss' | 's' | 'm'>): string {
  const name = LAB_LOSS_LABELS[settings.loss];
  const s = `s = ${trimNumber(settings.s)}`;
  switch (settings.loss) {
    case 'softmax':
      return name;
    case 'nsl':
      return `${name}, ${s}`;
    case 'cosface':
      return `${name}, ${s}, m = ${trimNumber(settings.m)}`;
    case 'arcface':
      return `${name}, ${s}, m = ${trimNumber(settings.m)} rad (${(settings.m * DEG).toFixed(1)}°)`;
    case 'sphereface':
      return `${name}, m = ${Math.max(1, Math.round(settings.m))}`;
  }
}

/** A number with at most 3 decimals and no trailing zeros. */
export function trimNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return String(Math.round(v * 1000) / 1000);
}

/** An angle in degrees with one decimal, or "–" when undefined (NaN). */
export function formatDeg(v: number): string {
  return Number.isFinite(v) ? `${v.toFixed(1)}°` : '–';
}
