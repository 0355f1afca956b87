/** What the browser does to a page's camera and what enrollment shows, for the e2e specs. */
import type { Page } from '@playwright/test';
import { expect } from './fixtures.ts';

/** Ends every track of the running camera, as unplugging it (or another app taking it) does. */
export async function unplugCamera(page: Page): Promise<void> {
  await expect(page.getByTestId('camera')).toHaveAttribute('data-status', 'running');
  await page
    .getByTestId('camera')
    .locator('video')
    .evaluate((video: HTMLVideoElement) => {
      for (const track of (video.srcObject as MediaStream).getTracks()) {
        // stop() alone does not fire 'ended' (only the browser ending a track does).
        track.stop();
        track.dispatchEvent(new Event('ended'));
      }
    });
}

/** The poses of the views the running enrollment has taken so far. */
export async function enrollViews(page: Page): Promise<unknown[]> {
  const guide = page.getByTestId('enroll-capturing');
  return JSON.parse((await guide.getAttribute('data-sample-poses')) ?? '[]') as unknown[];
}

/** Waits until the enrollment on screen has taken at least one view (so there is one to lose). */
export async function waitForEnrollView(page: Page): Promise<void> {
  await expect
    .poll(async () => (await enrollViews(page)).length, { timeout: 120_000 })
    .toBeGreaterThan(0);
}
