import type { Page } from '@playwright/test';
import { test, expect } from './fixtures.ts';
import { fakeCamera } from './paths.ts';
import { unplugCamera } from './camera-control.ts';

/**
 * A camera can stop in the middle of a session: unplugged, or taken by another app (its track
 * ends), or frozen (no frame comes any more). The camera view says so and Try again restarts it.
 */

async function expectCameraWithFace(page: Page): Promise<void> {
  const camera = page.getByTestId('camera');
  await expect(camera).toHaveAttribute('data-status', 'running');
  await expect(page.getByTestId('camera-error')).toHaveCount(0);
  await expect(page.getByTestId('face-overlay')).toHaveAttribute('data-box', /\d/);
  const time = () => camera.locator('video').evaluate((el: HTMLVideoElement) => el.currentTime);
  const first = await time();
  await expect.poll(time).toBeGreaterThan(first);
}

async function expectStoppedThenRetry(page: Page): Promise<void> {
  const problem = page.getByTestId('camera-error');
  await expect(problem).toContainText(
    'The camera stopped (unplugged, or taken by another app). Reconnect it and press Try again.',
  );
  await expect(page.getByTestId('camera')).toHaveAttribute('data-status', 'error');
  // No stale face stays on screen.
  await expect(page.getByTestId('face-overlay')).toHaveCount(0);
  await problem.getByRole('button', { name: 'Try again' }).click();
  await expectCameraWithFace(page);
}

test('the camera track ending says the camera stopped; Try again restarts it', async ({
  openApp,
}) => {
  const page = await openApp(fakeCamera('one-face'), '/#/camera');
  await expectCameraWithFace(page);
  await unplugCamera(page);
  await expectStoppedThenRetry(page);
  // It can stop and come back more than once.
  await unplugCamera(page);
  await expectStoppedThenRetry(page);
});

test('a camera that freezes (no frames for seconds) counts as stopped', async ({ openApp }) => {
  const page = await openApp(fakeCamera('one-face'), '/#/camera');
  await expectCameraWithFace(page);
  // The track stays live but the video gets no more frames.
  await page
    .getByTestId('camera')
    .locator('video')
    .evaluate((video: HTMLVideoElement) => {
      video.srcObject = null;
    });
  await expectStoppedThenRetry(page);
});
