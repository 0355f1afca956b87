import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { fakeCamera } from './paths.ts';
import { importPeople } from './people.ts';
import { PASSPHRASE, vaultStatus } from './vault.ts';

test.setTimeout(180_000);

/** Chromium's virtual platform authenticator (over CDP), with the PRF extension. */
async function addVirtualAuthenticator(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      hasPrf: true,
      automaticPresenceSimulation: true,
    },
  });
}

test('a platform authenticator with PRF opens the vault after a restart instead of the passphrase', async ({
  openApp,
}) => {
  const page = await openApp(fakeCamera('one-face'), '/#/people');
  await addVirtualAuthenticator(page);
  await importPeople(page, 'bob', 1);

  await page.goto('/#/settings');
  await page.getByTestId('authenticator-passphrase').fill('not the passphrase');
  await page.getByTestId('authenticator-add').click();
  await expect(page.getByTestId('authenticator-result')).toHaveAttribute('data-ok', 'false');
  // A wrong passphrase earns a 1 s wait here too (src/lib/security/passphrase-wait.ts).
  await page.waitForTimeout(1_100);
  await page.getByTestId('authenticator-passphrase').fill(PASSPHRASE);
  await page.getByTestId('authenticator-add').click();
  await expect(page.getByTestId('authenticator-on')).toBeVisible({ timeout: 30_000 });

  // The key in memory is gone after a reload: the authenticator alone brings it back.
  await page.reload();
  await page.goto('/#/unlock');
  await expect(vaultStatus(page)).toHaveAttribute('data-vault', 'sealed', { timeout: 30_000 });
  await page.getByTestId('authenticator-unlock').click();
  await expect(vaultStatus(page)).toHaveAttribute('data-vault', 'open', { timeout: 30_000 });
  await page.goto('/#/people');
  await expect(page.getByTestId('person')).toHaveCount(1);

  // The passphrase still works too, and the authenticator can be removed.
  await page.reload();
  await page.goto('/#/settings');
  await page.getByTestId('passphrase').fill(PASSPHRASE);
  await page.getByTestId('passphrase-submit').click();
  await expect(page.getByTestId('authenticator-on')).toBeVisible();
  await page.getByRole('button', { name: 'Stop using it' }).click();
  await expect(page.getByTestId('authenticator-on')).toHaveCount(0);
  await page.reload();
  await page.goto('/#/unlock');
  await expect(vaultStatus(page)).toHaveAttribute('data-vault', 'sealed', { timeout: 30_000 });
  await expect(page.getByTestId('authenticator-unlock')).toHaveCount(0);
});
