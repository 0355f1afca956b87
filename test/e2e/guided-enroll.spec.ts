import { expect, test } from './fixtures.ts';
import { fakeCamera } from './paths.ts';

interface Pose {
  yaw: number;
  pitch: number;
  roll: number;
}

test.setTimeout(240_000);

test('a still frontal photo gives the straight sample and then stays on the left turn', async ({
  openApp,
}) => {
  const page = await openApp(fakeCamera('one-face'), '/#/enroll');
  const guide = page.getByTestId('enroll-capturing');
  await expect(guide).toHaveAttribute('data-step-id', 'left', { timeout: 150_000 });
  const straight = JSON.parse((await guide.getAttribute('data-sample-poses')) ?? '[]') as Pose[];
  expect(straight).toHaveLength(1);
  // 20 s of the same photo: the pose never moves 12° from the straight one.
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    await expect(guide).toHaveAttribute('data-step-id', 'left');
    await expect(page.getByTestId('enroll-name-form')).toHaveCount(0);
    await page.waitForTimeout(1000);
  }
  await expect(page.getByTestId('enroll-guidance')).toHaveText(/Turn .*left/);
});

test('the d3 video passes each view, and the recorded poses really differ', async ({ openApp }) => {
  const page = await openApp(fakeCamera('d3-enroll'), '/#/enroll');
  const form = page.getByTestId('enroll-name-form');
  await expect(form).toBeVisible({ timeout: 150_000 });
  const poses = JSON.parse((await form.getAttribute('data-sample-poses')) ?? '[]') as Pose[];
  console.log(`d3 sample poses: ${JSON.stringify(poses)}`);
  expect(poses).toHaveLength(4);
  const [straight, left, right, nod] = poses as [Pose, Pose, Pose, Pose];
  expect(Math.abs(straight.yaw)).toBeLessThanOrEqual(10);
  expect(left.yaw).toBeGreaterThan(straight.yaw + 12 - 0.1);
  expect(right.yaw).toBeLessThan(straight.yaw - 12 + 0.1);
  expect(Math.abs(nod.pitch - straight.pitch)).toBeGreaterThanOrEqual(6 - 0.1);
});
