import { expect, test } from './fixtures.ts';
import { fakeCamera } from './paths.ts';
import { importPeople } from './people.ts';
import { lockVault, openVault, unlockByFace } from './vault.ts';
import { enrollViews, unplugCamera, waitForEnrollView } from './camera-control.ts';

test.setTimeout(240_000);

test('the camera stopping mid-unlock ends the attempt with the reason, and is not a failure', async ({
  openApp,
}) => {
  const page = await openApp(fakeCamera('d9-verify'), '/#/people');
  await importPeople(page, 'bob', 1);
  await lockVault(page);
  await page.getByTestId('verify-target').selectOption({ label: 'Bob' });
  await page.getByTestId('unlock-start').click();
  await expect(page.getByTestId('verify-status')).toHaveAttribute('data-status', 'looking');
  await unplugCamera(page);
  const ended = page.getByTestId('attempt-ended');
  await expect(ended).toHaveAttribute('data-reason', 'no_frames');
  await expect(ended).toContainText('The camera stopped');
  await expect(page.getByTestId('vault-open')).toHaveCount(0);
  await expect(page.getByTestId('attempts-left')).toHaveCount(0);
  // The camera comes back, and the next attempt opens the vault.
  await page.getByTestId('camera-error').getByRole('button', { name: 'Try again' }).click();
  await unlockByFace(page, 'Bob');
});

test('the camera stopping mid-enrollment saves nothing and starts over when it is back', async ({
  openApp,
}) => {
  const page = await openApp(fakeCamera('d3-enroll'), '/#/enroll');
  await openVault(page);
  await page.goto('/#/enroll');
  const guide = page.getByTestId('enroll-capturing');
  await waitForEnrollView(page);
  await unplugCamera(page);
  await expect(page.getByTestId('notice')).toContainText('nothing was saved');
  await expect(guide).toHaveAttribute('data-step-id', 'straight');
  expect(await enrollViews(page)).toHaveLength(0);
  await page.getByTestId('camera-error').getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByTestId('enroll-name-form')).toBeVisible({ timeout: 150_000 });
  await page.goto('/#/people');
  await expect(page.getByTestId('people-empty')).toBeVisible();
});
