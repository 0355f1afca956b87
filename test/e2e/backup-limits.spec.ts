import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { IMPORT_MAX_PEOPLE, type ExportFileV1 } from '../../src/lib/store/export-format.ts';
import { IMPORT_MAX_BYTES } from '../../src/lib/store/export-seal.ts';
import { makeBigBackup, openBackup } from './big-backup.ts';
import { expect, test } from './fixtures.ts';
import { FILE_PASSPHRASE, fakeCamera, importFile } from './paths.ts';
import { exportPeopleTo } from './people.ts';
import { openVault } from './vault.ts';

test.setTimeout(300_000);

const MIB = 1024 * 1024;

/** People → Import of `path`; waits for its notice and the list; returns the seconds it took. */
async function importFrom(page: Page, path: string): Promise<number> {
  const started = Date.now();
  await page.getByTestId('import-passphrase').fill(FILE_PASSPHRASE);
  await page.getByTestId('import').setInputFiles(path);
  await expect(page.getByTestId('notice')).toHaveText(
    new RegExp(`Imported ${IMPORT_MAX_PEOPLE} people`),
    { timeout: 120_000 },
  );
  await expect(page.getByTestId('person')).toHaveCount(IMPORT_MAX_PEOPLE, { timeout: 60_000 });
  await page.getByTestId('notice').getByRole('button', { name: 'Dismiss' }).click();
  return (Date.now() - started) / 1000;
}

/** Names that differ between two backups' people (template, samples, poses, dates), at most 5. */
function differences(a: ExportFileV1, b: ExportFileV1): string[] {
  const byName = new Map(b.people.map((p) => [p.name, p]));
  const out = a.people
    .filter((p) => JSON.stringify(p) !== JSON.stringify(byName.get(p.name)))
    .map((p) => p.name);
  if (a.people.length !== b.people.length) out.push(`${a.people.length} vs ${b.people.length}`);
  return out.slice(0, 5);
}

/** The same person entries whatever the key order: the export writes its own order. */
const canonical = (f: ExportFileV1): ExportFileV1 => ({
  ...f,
  people: f.people.map((p) => ({
    name: p.name,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    template: p.template,
    samples: p.samples.map((s) => ({
      embedding: s.embedding,
      createdAt: s.createdAt,
      pose: s.pose,
    })),
  })),
});

/**
 * Issue 25: 1,000 people of four views, the most the import takes, go out through Export and come
 * back after Delete everyone with every template and sample byte-identical.
 */
test('a backup at the people limit round-trips through Export, Delete everyone and Import', async ({
  openApp,
}) => {
  const source = canonical(await makeBigBackup('thousand'));
  console.log(`source file: ${(statSync(importFile('thousand')).size / MIB).toFixed(2)} MiB`);

  const page = await openApp(fakeCamera('one-face'), '/#/people');
  await openVault(page);
  await page.goto('/#/people');
  // A fine-tune of 1,000 people would only compete with the import for this machine's cores.
  const auto = page.getByLabel('Fine-tune after enrolling or removing someone');
  await auto.uncheck();
  await expect(auto).not.toBeChecked();

  console.log(`import of the source: ${await importFrom(page, importFile('thousand'))} s`);

  const dir = mkdtempSync(join(tmpdir(), 'facegate-backup-'));
  const first = join(dir, 'first.json');
  const exported = canonical(await openBackup(await exportPeopleTo(page, first)));
  const size = statSync(first).size;
  console.log(`export of ${IMPORT_MAX_PEOPLE} people: ${(size / MIB).toFixed(2)} MiB`);
  expect(size).toBeLessThan(IMPORT_MAX_BYTES);
  expect(differences(source, exported)).toEqual([]);

  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('delete-all').click();
  await expect(page.getByTestId('people-empty')).toBeVisible({ timeout: 60_000 });

  console.log(`import of the export: ${await importFrom(page, first)} s`);
  const again = canonical(await openBackup(await exportPeopleTo(page, join(dir, 'again.json'))));
  expect(differences(source, again)).toEqual([]);
});
