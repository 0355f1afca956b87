import { chromium } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from '../../scripts/lib/chromium.ts';
import { ENROLL_STEPS } from '../../src/lib/decisions/enroll-guidance.ts';
import { coopLog, coopVideos, installCooperativeCamera } from './cooperative-camera.ts';
import { expect, guardOrigin, guardPageErrors, test } from './fixtures.ts';
import { VIDEOS } from './paths.ts';
import { openVault } from './vault.ts';

interface Pose {
  yaw: number;
  pitch: number;
}

test.setTimeout(120_000);

test('a cooperative person (d3, their own video doing what the screen asks) enrolls through the real screens', async ({
  baseURL,
}) => {
  // The pose timeline is measured once by the app's front end and cached (.cache/coop/).
  const [d3] = await coopVideos([VIDEOS], () => {}, new Set(['d3']));
  expect(d3?.repertoire.couldEnroll).toBe(true);
  const origin = new URL(baseURL ?? 'http://localhost').origin;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ baseURL: origin, serviceWorkers: 'block' });
    const checks = [guardOrigin(context, origin), guardPageErrors(context)];
    await installCooperativeCamera(context, [d3!], 'd3');
    const page = await context.newPage();
    await openVault(page);
    await page.goto('/#/enroll');
    await page
      .locator('[data-testid="enroll-capturing"]:not(.waiting)')
      .waitFor({ timeout: 60_000 });
    const ready = Date.now();
    const form = page.getByTestId('enroll-name-form');
    await expect(form).toBeVisible({ timeout: 60_000 });
    const seconds = (Date.now() - ready) / 1000;
    const poses = JSON.parse((await form.getAttribute('data-sample-poses')) ?? '[]') as Pose[];
    console.log(`d3 enrolled in ${seconds.toFixed(1)} s, poses ${JSON.stringify(poses)}`);
    // The camera played each view the screen asked for, in order.
    // (Between them: facing the camera, and the footage as filmed when asked for a sign of life.)
    const asked = (await coopLog(page))
      .map((e) => e.want)
      .filter((w) => w !== 'frontal' && w !== 'alive');
    expect([...new Set(asked)]).toEqual(ENROLL_STEPS.map((s) => s.id));
    expect(poses).toHaveLength(4);
    const [straight, left, right, nod] = poses as [Pose, Pose, Pose, Pose];
    expect(Math.abs(straight.yaw)).toBeLessThanOrEqual(5);
    expect(Math.abs(straight.pitch)).toBeLessThanOrEqual(5);
    expect(left.yaw - straight.yaw).toBeGreaterThanOrEqual(12 - 0.1);
    expect(right.yaw - straight.yaw).toBeLessThanOrEqual(-12 + 0.1);
    expect(Math.abs(nod.pitch - straight.pitch)).toBeGreaterThanOrEqual(6 - 0.1);
    await page.getByTestId('enroll-name').fill('Dee');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByTestId('enroll-done')).toBeVisible();
    await context.close();
    for (const check of checks) check();
  } finally {
    await browser.close();
  }
});
