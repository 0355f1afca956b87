/**
 * Opening the vault from a test the way a person does: the passphrase is set on a fresh device
 * (the first enrollment sets it) and typed once after every browser start.
 */
import type { Page } from '@playwright/test';
import { expect } from './fixtures.ts';

export const PASSPHRASE = 'e2e vault passphrase';
export { FILE_PASSPHRASE } from './paths.ts';

export function vaultStatus(page: Page) {
  return page.locator('main');
}

/** Opens the vault (setting the passphrase if none is set yet); leaves the page on Settings. */
export async function openVault(page: Page, passphrase = PASSPHRASE): Promise<void> {
  await page.goto('/#/settings');
  const main = vaultStatus(page);
  await expect(main).toHaveAttribute('data-vault', /^(none|legacy|sealed|armed|open)$/, {
    timeout: 30_000,
  });
  const status = await main.getAttribute('data-vault');
  if (status === 'none' || status === 'legacy') {
    await page.getByTestId('new-passphrase').fill(passphrase);
    await page.getByTestId('confirm-passphrase').fill(passphrase);
    await page.getByTestId('vault-create').click();
  } else if (status !== 'open') {
    await page.getByTestId('passphrase').fill(passphrase);
    await page.getByTestId('passphrase-submit').click();
  }
  await expect(main).toHaveAttribute('data-vault', 'open', { timeout: 30_000 });
}

/** Opens the vault with the passphrase, then locks it: the face is what opens it next. */
export async function armVault(page: Page, passphrase = PASSPHRASE): Promise<void> {
  await openVault(page, passphrase);
  await lockVault(page);
}

/** From an open vault: locks it on Unlock, so the next attempt is by face. */
export async function lockVault(page: Page): Promise<void> {
  await page.goto('/#/unlock');
  await page.getByTestId('lock').click();
  await expect(vaultStatus(page)).toHaveAttribute('data-vault', 'armed');
}

/**
 * Face attempts as `name` (or for `target`, e.g. identify) until the vault opens to `name`, at most
 * `tries` (a person tries again too: a video shows life only now and then, and a requested turn
 * may ask for the side a person's footage turns less). The first click is Unlock, later ones Try
 * again.
 */
export async function unlockByFace(
  page: Page,
  name: string,
  tries = 4,
  target = name,
): Promise<void> {
  await page.getByTestId('verify-target').selectOption({ label: target });
  const status = page.getByTestId('verify-status');
  const open = page.getByTestId('vault-open');
  for (let attempt = 0; attempt < tries; attempt++) {
    await page.getByTestId(attempt === 0 ? 'unlock-start' : 'try-again').click({ timeout: 30_000 });
    // The click starts the attempt after a lockout check: wait for it, not the last one's verdict.
    await expect(status.or(open)).toHaveCount(1);
    await expect
      .poll(
        async () =>
          (await open.count()) > 0 || (await status.getAttribute('data-status')) === 'looking',
      )
      .toBe(true);
    await expect
      .poll(
        async () =>
          (await open.count()) > 0 ? 'open' : ((await status.getAttribute('data-status')) ?? ''),
        { timeout: 90_000 },
      )
      .toMatch(/open|rejected|timed_out/);
    if (await open.count()) break;
    const turn = (await status.getAttribute('data-turn')) || 'none asked';
    console.log(
      `attempt ${attempt + 1} as ${name}: ${await status.getAttribute('data-status')}, turn ${turn}`,
    );
  }
  await expect(page.getByTestId('unlocked-as')).toHaveText(`Welcome, ${name}.`);
}
