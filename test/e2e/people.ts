import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expect } from './fixtures.ts';
import { FILE_PASSPHRASE, importFile } from './paths.ts';
import { openVault } from './vault.ts';

/**
 * People → Import of a file global-setup made (real embeddings by models/, encrypted with
 * FILE_PASSPHRASE); opens the vault first (setting the passphrase on a fresh device); waits for
 * `total` people.
 */
export async function importPeople(page: Page, name: string, total: number): Promise<void> {
  await openVault(page);
  await page.goto('/#/people');
  await page.getByTestId('import-passphrase').fill(FILE_PASSPHRASE);
  await page.getByTestId('import').setInputFiles(importFile(name));
  await expect(page.getByTestId('person')).toHaveCount(total, { timeout: 60_000 });
}

/** Guided enrollment from the page's camera, saved under `name` (the vault opened first). */
export async function enrollHere(page: Page, name: string): Promise<void> {
  await openVault(page);
  await page.goto('/#/enroll');
  await expect(page.getByTestId('enroll-name-form')).toBeVisible({ timeout: 180_000 });
  await page.getByTestId('enroll-name').fill(name);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('enroll-done')).toBeVisible();
}

/** People → Export with FILE_PASSPHRASE, saved to `path`; returns the file's text. */
export async function exportPeopleTo(page: Page, path: string): Promise<string> {
  await page.getByTestId('export-passphrase').fill(FILE_PASSPHRASE);
  await page.getByTestId('export-confirm').fill(FILE_PASSPHRASE);
  const download = page.waitForEvent('download');
  await page.getByTestId('export').click();
  await (await download).saveAs(path);
  return readFileSync(path, 'utf8');
}
