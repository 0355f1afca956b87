import type { Locator } from '@playwright/test';
import { expect } from './fixtures.ts';

interface Pose {
  yaw: number;
  pitch: number;
}

/**
 * The four recorded views really differ: the straight one near frontal, and each other view the
 * asked-for way from the pose it was measured from (data-sample-references: the straight sample,
 * or a live frame nearer facing the camera, both within ±5°), so left and right lie >= 14° apart.
 * Returns the poses.
 */
export async function expectDistinctViews(form: Locator, straightMaxDeg = 5): Promise<Pose[]> {
  const poses = JSON.parse((await form.getAttribute('data-sample-poses')) ?? '[]') as Pose[];
  const refs = JSON.parse(
    (await form.getAttribute('data-sample-references')) ?? '[]',
  ) as (Pose | null)[];
  expect(poses).toHaveLength(4);
  expect(refs).toHaveLength(4);
  const [straight, left, right, nod] = poses as [Pose, Pose, Pose, Pose];
  const [, leftRef, rightRef, nodRef] = refs as [null, Pose, Pose, Pose];
  expect(Math.abs(straight.yaw)).toBeLessThanOrEqual(straightMaxDeg);
  expect(Math.abs(straight.pitch)).toBeLessThanOrEqual(straightMaxDeg);
  for (const ref of [leftRef, rightRef, nodRef]) {
    expect(Math.abs(ref.yaw)).toBeLessThanOrEqual(5 + 0.1);
    expect(Math.abs(ref.pitch)).toBeLessThanOrEqual(5 + 0.1);
  }
  expect(left.yaw - leftRef.yaw).toBeGreaterThanOrEqual(12 - 0.1);
  expect(right.yaw - rightRef.yaw).toBeLessThanOrEqual(-12 + 0.1);
  expect(left.yaw - right.yaw).toBeGreaterThanOrEqual(14 - 0.2);
  expect(Math.abs(nod.pitch - nodRef.pitch)).toBeGreaterThanOrEqual(6 - 0.1);
  return poses;
}
