import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { fakeCamera } from './paths.ts';

/** The camera screen until the worker analyses frames, then Settings' face engine section. */
async function engineSummary(page: Page) {
  await expect(page.getByTestId('face-overlay')).toHaveAttribute('data-box', /\d/, {
    timeout: 60_000,
  });
  // Within the page (a new address would reload it).
  await page.evaluate(() => (location.hash = '#/settings'));
  return page.getByTestId('engine-summary');
}

/**
 * The backend probe runs once: its result is kept per browser, device and model, a reload reuses
 * it instead of probing every backend again, and Settings' "Measure again" probes afresh.
 */
test('the backend probe is remembered across starts and measured again on demand', async ({
  openApp,
}) => {
  const page = await openApp(fakeCamera('one-face'), '/#/camera');
  const first = await engineSummary(page);
  await expect(first).toContainText('measured at this start');
  await expect(
    page.getByTestId('engine-settings').locator('li[data-backend="wasm"]'),
  ).toContainText('ms');

  // A real restart of the page (a goto that only changes the hash would not reload it).
  await page.evaluate(() => (location.hash = '#/camera'));
  await page.reload();
  const again = await engineSummary(page);
  await expect(again).toContainText('as measured at an earlier start on this device');
  const backend = await again.getAttribute('data-backend');

  await page.getByTestId('reprobe').click();
  await expect(page.getByTestId('engine-summary')).toContainText('measured at this start', {
    timeout: 60_000,
  });
  await expect(page.getByTestId('engine-summary')).toHaveAttribute('data-backend', backend ?? '');
});
