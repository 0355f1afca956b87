import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, launchProfile, test } from './fixtures.ts';
import { fakeCamera } from './paths.ts';

test('installs a service worker and starts and detects faces offline', async ({ baseURL }) => {
  const origin = new URL(baseURL ?? 'http://localhost').origin;
  const profile = mkdtempSync(join(tmpdir(), 'facegate-profile-'));
  const { context, check } = await launchProfile(profile, fakeCamera('one-face'), origin);
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
