import { describe, expect, it } from 'vitest';
import type { Point } from '../../../src/lib/math/align';
import {
  applyHomography,
  fitHomography,
  homographyResidual,
  invertHomography,
  multiplyHomography,
  planeViewHomography,
  type Homography,
} from '../../../src/lib/math/homography';

const grid: Point[] = [];
for (let x = 0; x <= 200; x += 50) for (let y = 0; y <= 200; y += 40) grid.push([x + 100, y + 80]);

describe('homography', () => {
  it('fits a projective map exactly and inverts it', () => {
    const h: Homography = [1.1, 0.2, 30, -0.1, 0.9, 12, 0.0004, -0.0003, 1];
    const moved = grid.map((p) => applyHomography(h, p));
    const fit = fitHomography(grid, moved);
    expect(fit).not.toBeNull();
    expect(homographyResidual(fit!, grid, moved)).toBeLessThan(1e-6);
    const back = multiplyHomography(invertHomography(h), h);
    back.forEach((v, i) => expect(v).toBeCloseTo([1, 0, 0, 0, 1, 0, 0, 0, 1][i]!, 9));
  });

  it('leaves a residual when the points are not one plane seen twice', () => {
    const bent = grid.map(([x, y]): Point => [x + 0.001 * (x - 200) ** 2, y]);
    const fit = fitHomography(grid, bent)!;
    expect(homographyResidual(fit, grid, bent)).toBeGreaterThan(0.5);
  });

  it('needs four points that are not on one line', () => {
    expect(fitHomography(grid.slice(0, 3), grid.slice(0, 3))).toBeNull();
    const line: Point[] = [0, 1, 2, 3, 4].map((i) => [i, 2 * i]);
    expect(fitHomography(line, line)).toBeNull();
  });

  it('shows a plane square on at one pixel per unit, and foreshortens it when turned', () => {
    const square = planeViewHomography({
      yawDeg: 0,
      pitchDeg: 0,
      focal: 500,
      distance: 500,
      cx: 320,
      cy: 240,
    });
    expect(applyHomography(square, [10, -20])).toEqual([330, 220]);
    const turned = planeViewHomography({
      yawDeg: 30,
      pitchDeg: 0,
      focal: 500,
      distance: 500,
      cx: 320,
      cy: 240,
    });
    const [left] = applyHomography(turned, [-100, 0]);
    const [right] = applyHomography(turned, [100, 0]);
    // Narrower overall, and the side turned away smaller than the side turned near.
    expect(right - left).toBeLessThan(200);
    expect(Math.abs(right - 320)).not.toBeCloseTo(Math.abs(left - 320), 0);
  });
});
