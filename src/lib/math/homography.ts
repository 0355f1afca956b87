/**
 * Plane-to-plane projective maps (3x3 homographies), for liveness: every view of a flat picture,
 * however it is held, moved or turned, maps onto every other by one homography, and a real face
 * does not (its nose stands out of the plane of its eyes and mouth). Pure math, no DOM.
 */
import type { Point } from './align';

/** Row-major 3x3: x' = (h0 x + h1 y + h2) / (h6 x + h7 y + h8), y' = (h3 x + h4 y + h5) / (...). */
export type Homography = readonly [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];

export const IDENTITY_HOMOGRAPHY: Homography = [1, 0, 0, 0, 1, 0, 0, 0, 1];

export function applyHomography(h: Homography, [x, y]: Point): Point {
  const w = h[6] * x + h[7] * y + h[8];
  return [(h[0] * x + h[1] * y + h[2]) / w, (h[3] * x + h[4] * y + h[5]) / w];
}

export function multiplyHomography(a: Homography, b: Homography): Homography {
  const out: number[] = [];
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      for (let k = 0; k < 3; k++) sum += (a[3 * r + k] as number) * (b[3 * k + c] as number);
      out.push(sum);
    }
  }
  return normalise(out);
}

export function invertHomography(h: Homography): Homography {
  const [a, b, c, d, e, f, g, i, j] = h;
  const det = a * (e * j - f * i) - b * (d * j - f * g) + c * (d * i - e * g);
  if (Math.abs(det) < 1e-15) throw new RangeError('homography is singular');
  return normalise([
    (e * j - f * i) / det,
    (c * i - b * j) / det,
    (b * f - c * e) / det,
    (f * g - d * j) / det,
    (a * j - c * g) / det,
    (c * d - a * f) / det,
    (d * i - e * g) / det,
    (b * g - a * i) / det,
    (a * e - b * d) / det,
  ]);
}

function normalise(m: readonly number[]): Homography {
  const s = m[8] !== undefined && Math.abs(m[8]) > 1e-12 ? m[8] : 1;
  return m.map((v) => v / s) as unknown as Homography;
}

/** Moves the points' centroid to the origin and their mean distance to sqrt(2) (Hartley). */
function conditioner(points: readonly Point[]): Homography {
  let cx = 0;
  let cy = 0;
  for (const [x, y] of points) {
    cx += x;
    cy += y;
  }
  cx /= points.length;
  cy /= points.length;
  let spread = 0;
  for (const [x, y] of points) spread += Math.hypot(x - cx, y - cy);
  spread /= points.length;
  const s = spread > 1e-12 ? Math.SQRT2 / spread : 1;
  return [s, 0, -s * cx, 0, s, -s * cy, 0, 0, 1];
}

/** Solves the n x n system a x = b in place (Gaussian elimination, partial pivoting); null if singular. */
function solve(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) {
      if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    }
    if (Math.abs(a[pivot]![col]!) < 1e-12) return null;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    [b[col], b[pivot]] = [b[pivot]!, b[col]!];
    const row = a[col]!;
    for (let r = col + 1; r < n; r++) {
      const other = a[r]!;
      const k = other[col]! / row[col]!;
      if (k === 0) continue;
      for (let c = col; c < n; c++) other[c]! -= k * row[c]!;
      b[r]! -= k * b[col]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let sum = b[r]!;
    for (let c = r + 1; c < n; c++) sum -= a[r]![c]! * x[c]!;
    x[r] = sum / a[r]![r]!;
  }
  return x;
}

/**
 * The least-squares homography taking `src[i]` to `dst[i]` (at least four points, not all on one
 * line): the conditioned linear (DLT) estimate with h8 = 1. Null when the points do not fix one.
 */
export function fitHomography(src: readonly Point[], dst: readonly Point[]): Homography | null {
  if (src.length !== dst.length) throw new RangeError('fitHomography needs matching point lists');
  if (src.length < 4) return null;
  const ts = conditioner(src);
  const td = conditioner(dst);
  // Normal equations of the 2n x 8 linear system.
  const ata = Array.from({ length: 8 }, () => new Array<number>(8).fill(0));
  const atb = new Array<number>(8).fill(0);
  const addRow = (row: readonly number[], rhs: number) => {
    for (let i = 0; i < 8; i++) {
      const ri = row[i]!;
      if (ri === 0) continue;
      atb[i]! += ri * rhs;
      const target = ata[i]!;
      for (let j = 0; j < 8; j++) target[j]! += ri * row[j]!;
    }
  };
  for (let k = 0; k < src.length; k++) {
    const [x, y] = applyHomography(ts, src[k]!);
    const [u, v] = applyHomography(td, dst[k]!);
    addRow([x, y, 1, 0, 0, 0, -u * x, -u * y], u);
    addRow([0, 0, 0, x, y, 1, -v * x, -v * y], v);
  }
  const h = solve(ata, atb);
  if (!h) return null;
  const conditioned: Homography = [h[0]!, h[1]!, h[2]!, h[3]!, h[4]!, h[5]!, h[6]!, h[7]!, 1];
  // Undo the conditioning: H = Td^-1 * Hc * Ts.
  return multiplyHomography(multiplyHomography(invertHomography(td), conditioned), ts);
}

/** Root-mean-square distance between H(src[i]) and dst[i], in dst units. */
export function homographyResidual(
  h: Homography,
  src: readonly Point[],
  dst: readonly Point[],
): number {
  let sum = 0;
  for (let k = 0; k < src.length; k++) {
    const [x, y] = applyHomography(h, src[k]!);
    const [u, v] = dst[k]!;
    sum += (x - u) ** 2 + (y - v) ** 2;
  }
  return Math.sqrt(sum / Math.max(1, src.length));
}

/**
 * How a flat picture looks to a pinhole camera (focal length `focal` pixels, principal point
 * `(cx, cy)`) when it stands `distance` pixels away, turned by `yawDeg` about its vertical axis and
 * `pitchDeg` about its horizontal one: picture coordinates centred on the pivot -> image pixels.
 * With both angles 0 and `distance === focal`, one picture unit is one image pixel.
 */
export function planeViewHomography(options: {
  yawDeg: number;
  pitchDeg: number;
  focal: number;
  distance: number;
  cx: number;
  cy: number;
}): Homography {
  const { focal: f, distance, cx, cy } = options;
  const yaw = (options.yawDeg * Math.PI) / 180;
  const pitch = (options.pitchDeg * Math.PI) / 180;
  // R = Rx(pitch) * Ry(yaw); a picture point (X, Y, 0) lands at R (X, Y, 0) + (0, 0, d). Only the
  // columns of R that multiply X and Y matter.
  const r1 = [Math.cos(yaw), Math.sin(pitch) * Math.sin(yaw), -Math.cos(pitch) * Math.sin(yaw)];
  const r2 = [0, Math.cos(pitch), Math.sin(pitch)];
  const k: Homography = [f, 0, cx, 0, f, cy, 0, 0, 1];
  const rt: Homography = [r1[0]!, r2[0]!, 0, r1[1]!, r2[1]!, 0, r1[2]!, r2[2]!, distance];
  return multiplyHomography(k, rt);
}

/** The homography of a similarity x' = a x - b y + tx, y' = b x + a y + ty. */
export function similarityHomography(t: {
  a: number;
  b: number;
  tx: number;
  ty: number;
}): Homography {
  return [t.a, -t.b, t.tx, t.b, t.a, t.ty, 0, 0, 1];
}
