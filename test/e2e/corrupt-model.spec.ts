import { chromium } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from '../../scripts/lib/chromium.ts';
import { cameraArgs, expect, guardOrigin, test } from './fixtures.ts';
import { fakeCamera } from './paths.ts';
import { importPeople } from './people.ts';

test('a damaged model file is refused with a clear message', async ({ baseURL }) => {
  const origin = new URL(baseURL ?? 'http://localhost').origin;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS, ...cameraArgs(fakeCamera('one-face'))],
  });
  const context = await browser.newContext({ baseURL: origin });
  const check = guardOrigin(context, origin);
  try {
    // The real file, served with one byte flipped, as a damaged download would be.
    await context.route('**/models/weights.bin', async (route) => {
      const response = await route.fetch();
      const body = Buffer.from(await response.body());
      body[1000] = (body[1000] ?? 0) ^ 0xff;
      await route.fulfill({ response, body });
    });
    const page = await context.newPage();
    await page.goto('/#/unlock');
    const problem = page.getByTestId('model-error');
    await expect(problem).toContainText('damaged', { timeout: 60_000 });
    await expect(problem.getByRole('button', { name: 'Reload' })).toBeVisible();
    await expect(page.getByTestId('unlock-start')).toHaveCount(0);
  } finally {
    await browser.close();
  }
  check();
});

test('a damaged background bank stops fine-tuning with a clear message; unlock keeps the base model', async ({
  openApp,
}) => {
  const page = await openApp(fakeCamera('one-face'), '/#/people');
  await page.context().route('**/models/background-bank.bin', async (route) => {
    const response = await route.fetch();
    const body = Buffer.from(await response.body());
    body[5000] = (body[5000] ?? 0) ^ 0xff;
    await route.fulfill({ response, body });
  });
  await importPeople(page, 'bob', 1);
  const message = page.getByTestId('finetune-message');
  await expect(message).toContainText('Fine-tuning failed', { timeout: 120_000 });
  await expect(message).toContainText(/damaged|altered/);
  await expect(page.getByTestId('finetune-state')).toHaveAttribute('data-state', 'none');
  await expect(page.getByTestId('person')).toHaveCount(1);
});
