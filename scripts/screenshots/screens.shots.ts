/**
 * Every screen of the real app, photographed into docs/screenshots/ (run by `npm run screenshots`
 * after `npm run build`). The camera is a fake one playing real videos (../shared/data/videos),
 * blurred in every picture.
 */
import { resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from '../../test/e2e/fixtures.ts';
import { fakeCamera } from '../../test/e2e/paths.ts';
import { importPeople } from '../../test/e2e/people.ts';
import { lockVault, openVault } from '../../test/e2e/vault.ts';

const OUT = resolve(import.meta.dirname, '../../docs/screenshots');

async function shot(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 1200, height: 900 });
  // The camera plays dataset videos, which must not be copied into the repository: the picture
  // and the aligned crop are blurred past recognition; the boxes, points and words stay sharp.
  await page.addStyleTag({
    content: 'video, [data-testid="aligned-crop"] { filter: blur(14px) !important; }',
  });
  await page.waitForTimeout(200);
  await page.screenshot({ path: resolve(OUT, `${name}.png`), fullPage: true });
  console.log(`docs/screenshots/${name}.png`);
}

test('enrollment: the guided views, then the name', async ({ openApp }) => {
  const page = await openApp(fakeCamera('d3-enroll'), '/#/enroll');
  await openVault(page);
  await page.goto('/#/enroll');
  const guide = page.getByTestId('enroll-capturing');
  await expect(guide).toHaveAttribute('data-step-id', /left|right|nod/, { timeout: 180_000 });
  await shot(page, 'enroll');
  await expect(page.getByTestId('enroll-name-form')).toBeVisible({ timeout: 180_000 });
  await page.getByTestId('enroll-name').fill('Alice');
  await shot(page, 'enroll-name');
});

test('unlock, the open vault, people, settings, camera, help, lab', async ({ openApp }) => {
  const page = await openApp(fakeCamera('d9-verify'), '/#/people');
  await importPeople(page, 'bob', 1);
  await page.goto('/#/people');
  await expect(page.getByTestId('person')).toHaveCount(1);
  await shot(page, 'people');
  await page.goto('/#/settings');
  await shot(page, 'settings');
  await lockVault(page);
  await page.getByTestId('verify-target').selectOption({ label: 'Bob' });
  await expect(page.getByTestId('quality')).not.toHaveText('Starting…', { timeout: 120_000 });
  const dismiss = page.getByRole('button', { name: 'Dismiss' });
  while ((await dismiss.count()) > 0) await dismiss.first().click();
  await shot(page, 'unlock');
  await openVault(page);
  await page.goto('/#/unlock');
  await expect(page.getByTestId('vault-open')).toBeVisible();
  await shot(page, 'vault-open');
  await page.goto('/#/camera');
  await expect(page.getByTestId('quality')).not.toHaveText('Starting…', { timeout: 120_000 });
  await shot(page, 'camera');
  await page.goto('/#/help');
  await shot(page, 'help');
  await page.goto('/#/lab');
  await page.waitForTimeout(3000);
  await shot(page, 'lab');
});
