/**
 * Driving the built app the way a person does, for `npm run bench` (the same steps as the e2e
 * helpers test/e2e/vault.ts and people.ts, without the test runner's expect): set or type the
 * vault passphrase, import people, arm the vault, run one face attempt to its end.
 */
import type { Page } from '@playwright/test';

export const BENCH_PASSPHRASE = 'bench vault passphrase';

const VAULT_STATES = /^(none|legacy|sealed|armed|open)$/;

async function vaultState(page: Page): Promise<string> {
  const main = page.locator('main');
  await page.waitForFunction(
    (pattern) => new RegExp(pattern).test(document.querySelector('main')?.dataset.vault ?? ''),
    VAULT_STATES.source,
    { timeout: 60_000 },
  );
  return (await main.getAttribute('data-vault')) ?? '';
}

async function waitForVault(page: Page, state: string, timeout = 60_000): Promise<void> {
  await page.waitForFunction(
    (wanted) => document.querySelector('main')?.dataset.vault === wanted,
    state,
    { timeout },
  );
}

/** Opens the vault on Settings (setting the passphrase on a fresh device). */
export async function openVault(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/#/settings`);
  const state = await vaultState(page);
  if (state === 'none' || state === 'legacy') {
    await page.getByTestId('new-passphrase').fill(BENCH_PASSPHRASE);
    await page.getByTestId('confirm-passphrase').fill(BENCH_PASSPHRASE);
    await page.getByTestId('vault-create').click();
  } else if (state !== 'open') {
    await page.getByTestId('passphrase').fill(BENCH_PASSPHRASE);
    await page.getByTestId('passphrase-submit').click();
  }
  await waitForVault(page, 'open');
}

/**
 * Opens the vault with the passphrase (which also clears failed face attempts), then locks it on
 * Unlock: the next attempt is by face, with no wait from earlier failures.
 */
export async function armVault(page: Page, base: string): Promise<void> {
  await openVault(page, base);
  await page.goto(`${base}/#/unlock`);
  await page.getByTestId('lock').click();
  await waitForVault(page, 'armed');
}

/** People -> Import of an encrypted export file; waits for `count` people. */
export async function importPeople(
  page: Page,
  base: string,
  file: string,
  filePassphrase: string,
  count: number,
): Promise<void> {
  await openVault(page, base);
  await page.goto(`${base}/#/people`);
  await page.getByTestId('import-passphrase').fill(filePassphrase);
  await page.getByTestId('import').setInputFiles(file);
  const handle = await page.waitForFunction(
    (n) => {
      const people = document.querySelectorAll('[data-testid=person]').length;
      if (people === n) return 'ok';
      const notice = document.querySelector('[data-testid=notice]')?.textContent?.trim();
      // The import's own success notice can show before the list has drawn its people.
      if (!notice || notice.startsWith(`Imported ${n} people`)) return null;
      return `${people} people, notice: ${notice}`;
    },
    count,
    { timeout: 180_000 },
  );
  const outcome = await handle.jsonValue();
  if (outcome !== 'ok') throw new Error(`import of ${file} failed: ${outcome}`);
}

export interface AttemptEnd {
  /** accepted, rejected or timed_out:<reason>, as the screen shows it. */
  status: string;
  /** Page clock (ms since navigation start) just before the click, and when the end showed. */
  clickedAt: number;
  endedAt: number;
}

/**
 * On an armed Unlock screen: chooses `target`, presses Unlock, waits for the attempt to start and
 * then to end (vault open, rejected, or stopped). The end time is seen by polling the page every
 * 10 ms, so it is late by up to that (the app's own decision mark, when it has one, is exact).
 */
export async function faceAttempt(page: Page, target: string): Promise<AttemptEnd> {
  await page.getByTestId('verify-target').selectOption({ label: target });
  const start = page.getByTestId('unlock-start');
  await start.waitFor({ state: 'visible', timeout: 120_000 });
  const clickedAt = await now(page);
  await start.click({ timeout: 120_000 });
  await page.waitForFunction(
    () =>
      document.querySelector('[data-testid=vault-open]') !== null ||
      document.querySelector('[data-testid=verify-status]')?.getAttribute('data-status') ===
        'looking',
    null,
    { timeout: 30_000, polling: 10 },
  );
  const handle = await page.waitForFunction(
    () => {
      const at = performance.now();
      if (document.querySelector('[data-testid=vault-open]')) return { status: 'accepted', at };
      const status = document.querySelector('[data-testid=verify-status]');
      const state = status?.getAttribute('data-status');
      if (state === 'rejected') return { status: 'rejected', at };
      if (state === 'timed_out') {
        const reason = document.querySelector('[data-testid=attempt-ended]');
        return { status: `timed_out:${reason?.getAttribute('data-reason') ?? ''}`, at };
      }
      return null;
    },
    null,
    { timeout: 120_000, polling: 10 },
  );
  const end = (await handle.jsonValue()) as { status: string; at: number };
  return { status: end.status, clickedAt, endedAt: end.at };
}

export interface ColdUnlockEnd extends AttemptEnd {
  /** Page clock when the passphrase field showed, and when face unlock was armed. */
  passphraseShownAt: number;
  armedAt: number;
}

const now = (page: Page) => page.evaluate(() => performance.now());

/**
 * Right after a navigation to Unlock on a sealed vault: the passphrase typed as soon as its field
 * shows, the vault locked again at once (face unlock armed), then one face attempt.
 */
export async function coldUnlock(page: Page, target: string): Promise<ColdUnlockEnd> {
  const field = page.getByTestId('passphrase');
  await field.waitFor({ state: 'visible', timeout: 120_000 });
  const passphraseShownAt = await now(page);
  await field.fill(BENCH_PASSPHRASE);
  await page.getByTestId('passphrase-submit').click();
  await page.getByTestId('lock').click({ timeout: 60_000 });
  await waitForVault(page, 'armed');
  const armedAt = await now(page);
  return { ...(await faceAttempt(page, target)), passphraseShownAt, armedAt };
}
