import { expect, test } from './fixtures.ts';
import { fakeCamera } from './paths.ts';
import { openVault, vaultStatus } from './vault.ts';
import { waitForEnrollView } from './camera-control.ts';

test.setTimeout(240_000);

test('a reload during enrollment saves nothing and asks for the passphrase again', async ({
  openApp,
}) => {
  const page = await openApp(fakeCamera('d3-enroll'), '/#/enroll');
  await openVault(page);
  await page.goto('/#/enroll');
  await waitForEnrollView(page);
  await page.reload();
  // The key was only in the page's memory: the vault is sealed, and nobody was saved.
  await expect(vaultStatus(page)).toHaveAttribute('data-vault', 'sealed', { timeout: 30_000 });
  await expect(page.getByTestId('manage-locked')).toBeVisible();
  await openVault(page);
  await page.goto('/#/people');
  await expect(page.getByTestId('people-empty')).toBeVisible();
  const samples = await page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const req = indexedDB.open('facegate');
        req.onerror = () => reject(req.error ?? new Error('open failed'));
        req.onsuccess = () => {
          const count = req.result.transaction('samples').objectStore('samples').count();
          count.onsuccess = () => {
            resolve(count.result);
            req.result.close();
          };
        };
      }),
  );
  expect(samples).toBe(0);
});
