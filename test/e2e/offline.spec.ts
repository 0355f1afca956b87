import { chromium } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM, CHROMIUM_ARGS } from '../../scripts/lib/chromium.ts';
import { cameraArgs, expect, guardOrigin, test } from './fixtures.ts';
import { fakeCamera } from './paths.ts';

test('installs a service worker and starts and detects faces offline', async ({ baseURL }) => {
  const origin = new URL(baseURL ?? 'http://localhost').origin;
  const profile = mkdtempSync(join(tmpdir(), 'facegate-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS, ...cameraArgs(fakeCamera('one-face'))],
    baseURL: origin,
  });
  const check = guardOrigin(context, origin);
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto('/#/camera');
    await expect(page.getByTestId('offline-ready')).toBeVisible({ timeout: 60_000 });
    const manifest = await page.evaluate(async () => {
      const link = document.querySelector<HTMLLinkElement>('link[rel=manifest]');
      return link ? ((await (await fetch(link.href)).json()) as { name: string }) : null;
    });
    expect(manifest?.name).toContain('facegate');

    await context.setOffline(true);
    await page.reload();
    await expect(page.getByRole('heading', { name: 'facegate' })).toBeVisible();
    await expect(page.getByTestId('aligned-crop')).toHaveAttribute('data-has-crop', 'true');
    await expect(page.getByTestId('camera-error')).toHaveCount(0);
  } finally {
    await context.close();
  }
  check();
});
