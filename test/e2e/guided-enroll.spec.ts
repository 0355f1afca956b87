import { expect, test } from './fixtures.ts';
import { fakeCamera } from './paths.ts';
import { openVault } from './vault.ts';

interface Pose {
  yaw: number;
  pitch: number;
  roll: number;
}

test.setTimeout(240_000);

test('a still photo of a face never enrolls: no view is taken, and the screen says why', async ({
  openApp,
}) => {
  const page = await openApp(fakeCamera('d3-still'), '/#/enroll');
  await openVault(page);
  await page.goto('/#/enroll');
  const guide = page.getByTestId('enroll-capturing');
  const guidance = page.getByTestId('enroll-guidance');
  // The photo is a clear frontal face: only liveness holds it, and after a while the screen says so.
  await expect(guidance).toHaveText(/photo or a screen cannot enroll/, { timeout: 150_000 });
  await expect(guide).toHaveAttribute('data-live', 'no');
  // 15 s more of the same photo: still no sample, still the straight view.
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    await expect(guide).toHaveAttribute('data-step-id', 'straight');
    expect(JSON.parse((await guide.getAttribute('data-sample-poses')) ?? '[]')).toHaveLength(0);
    await expect(page.getByTestId('enroll-name-form')).toHaveCount(0);
    await page.waitForTimeout(1000);
  }
});

test('the d3 video passes each view, and the recorded poses really differ', async ({ openApp }) => {
  const page = await openApp(fakeCamera('d3-enroll'), '/#/enroll');
  await openVault(page);
  await page.goto('/#/enroll');
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
