import type { Page } from '@playwright/test';
import { test, expect } from './fixtures.ts';
import { fakeCamera } from './paths.ts';
import { openVault } from './vault.ts';

/**
 * Every screen shares one camera session and each screen's camera view has its own <video>; on a
 * switch the arriving view's start and the leaving view's stop come in either order. Whatever the
 * order, the last screen's camera runs and no uncaught error happens (the fixture fails the test
 * on any `pageerror`).
 */

/** The camera on screen is running, playing, and shows a face. */
async function expectCameraWithFace(page: Page): Promise<void> {
  const camera = page.getByTestId('camera');
  await expect(camera).toHaveCount(1);
  await expect(camera).toHaveAttribute('data-status', 'running');
  await expect(page.getByTestId('camera-error')).toHaveCount(0);
  await expect(page.getByTestId('face-overlay')).toHaveAttribute('data-box', /\d/);
  const video = camera.locator('video');
  const playing = async () =>
    video.evaluate((el: HTMLVideoElement) => ({
      stream: el.srcObject !== null,
      paused: el.paused,
      time: el.currentTime,
    }));
  const first = await playing();
  expect(first.stream).toBe(true);
  expect(first.paused).toBe(false);
  await expect.poll(async () => (await playing()).time).toBeGreaterThan(first.time);
}

test('switching screens quickly leaves the last screen a running camera', async ({ openApp }) => {
  const page = await openApp(fakeCamera('one-face'), '/#/camera');
  await expectCameraWithFace(page);
  // Enroll shows its camera once the vault is open (the first enrollment sets its passphrase)
  // and the face model is loaded: wait for it once, then switch fast.
  await openVault(page);
  await page.goto('/#/enroll');
  await expectCameraWithFace(page);

  const nav = page.getByRole('navigation', { name: 'Screens' });
  for (let round = 0; round < 4; round += 1) {
    await nav.getByRole('link', { name: 'Camera check' }).click();
    await nav.getByRole('link', { name: 'Unlock' }).click();
    await nav.getByRole('link', { name: 'Enroll' }).click();
    await page.goto('/#/camera');
    await page.goto('/#/unlock');
    await page.goto('/#/enroll');
  }
  await expectCameraWithFace(page);
  // A switch to a screen the camera is already running for, with no pause in between.
  await page.goto('/#/camera');
  await page.goto('/#/enroll');
  await page.goto('/#/camera');
  await expectCameraWithFace(page);
  await expect(page.getByTestId('quality')).not.toHaveAttribute('data-reasons', /no_face/);
});

test('leaving the camera screen while it is starting does not break it', async ({ openApp }) => {
  const page = await openApp(fakeCamera('one-face'), '/#/camera');
  // No wait: the first start is still loading the models and opening the camera.
  await page.goto('/#/unlock');
  await page.goto('/#/camera');
  await page.goto('/#/help');
  await page.goto('/#/camera');
  await expectCameraWithFace(page);
});
