import { expect, test } from './fixtures.ts';
import { fakeCamera } from './paths.ts';
import { importPeople } from './people.ts';
import { lockVault } from './vault.ts';

test.setTimeout(180_000);

/** A face too small for the gate is never usable: the attempt stops by itself, and can restart. */
test('an attempt with a face that never becomes usable ends by itself; Try again starts a new one', async ({
  openApp,
}) => {
  const page = await openApp(fakeCamera('tiny-face'), '/#/people');
  await importPeople(page, 'bob', 1);
  await lockVault(page);
  await page.getByTestId('verify-target').selectOption({ label: 'Bob' });
  await page.getByTestId('unlock-start').click();
  const status = page.getByTestId('verify-status');
  const ended = page.getByTestId('attempt-ended');
  await expect(ended).toBeVisible({ timeout: 90_000 });
  expect(await ended.getAttribute('data-reason')).toBeTruthy();
  console.log(`ended: ${await ended.getAttribute('data-reason')}: ${await ended.textContent()}`);
  await expect(page.getByTestId('vault-open')).toHaveCount(0);

  await page.getByTestId('try-again').click();
  await expect(status).toHaveAttribute('data-status', 'looking');
  await expect(ended).toBeVisible({ timeout: 60_000 });
  expect(await ended.getAttribute('data-reason')).toBeTruthy();
  await expect(page.getByTestId('vault-open')).toHaveCount(0);
});
