import type { Page } from '@playwright/test';
import { expect } from './fixtures.ts';
import { importFile } from './paths.ts';

/** People → Import of a file global-setup made (real embeddings by models/); waits for `total`. */
export async function importPeople(page: Page, name: string, total: number): Promise<void> {
  await page.goto('/#/people');
  await page.getByTestId('import').setInputFiles(importFile(name));
  await expect(page.getByTestId('person')).toHaveCount(total, { timeout: 60_000 });
}

/** Guided enrollment from the page's camera, saved under `name`. */
export async function enrollHere(page: Page, name: string): Promise<void> {
  await page.goto('/#/enroll');
  await expect(page.getByTestId('enroll-name-form')).toBeVisible({ timeout: 180_000 });
  await page.getByTestId('enroll-name').fill(name);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('enroll-done')).toBeVisible();
}
