import { readFileSync } from 'node:fs';
import { expect, test } from './fixtures.ts';
import { FILE_PASSPHRASE, fakeCamera, importFile } from './paths.ts';
import { importPeople } from './people.ts';
import { rawRecords } from './raw-db.ts';
import { PASSPHRASE, vaultStatus } from './vault.ts';
import { IMPORT_MAX_BYTES, openExport, sealExport } from '../../src/lib/store/export-seal.ts';

test.setTimeout(180_000);

const NEW_PASSPHRASE = 'a brand new passphrase';

test('changing the passphrase re-wraps the key only; a wrong one changes nothing', async ({
  openApp,
}) => {
  const page = await openApp(fakeCamera('one-face'), '/#/people');
  await importPeople(page, 'bob-carol', 2);
  const faceRecords = async () =>
    (await rawRecords(page)).chunks.filter((c) => /^(people|samples)\[/.test(c.where));
  const before = await faceRecords();

  await page.goto('/#/settings');
  const form = page.getByTestId('change-passphrase');
  await page.getByTestId('current-passphrase').fill('not the passphrase');
  await page.getByTestId('changed-passphrase').fill(NEW_PASSPHRASE);
  await page.getByTestId('changed-passphrase-confirm').fill(NEW_PASSPHRASE);
  await form.getByRole('button', { name: 'Change passphrase' }).click();
  await expect(page.getByTestId('passphrase-result')).toHaveAttribute('data-ok', 'false');
  await expect(page.getByTestId('passphrase-result')).toContainText('not right');

  await page.getByTestId('current-passphrase').fill(PASSPHRASE);
  await page.getByTestId('changed-passphrase').fill(NEW_PASSPHRASE);
  await page.getByTestId('changed-passphrase-confirm').fill(NEW_PASSPHRASE);
  await form.getByRole('button', { name: 'Change passphrase' }).click();
  await expect(page.getByTestId('passphrase-result')).toHaveAttribute('data-ok', 'true');
  // Nothing but the wrapped key changed: every face record is byte for byte what it was.
  expect(await faceRecords()).toEqual(before);

  await page.reload();
  await page.goto('/#/unlock');
  await page.getByTestId('passphrase').fill(PASSPHRASE);
  await page.getByTestId('passphrase-submit').click();
  await expect(page.getByTestId('passphrase-error')).toContainText('not right');
  await expect(vaultStatus(page)).toHaveAttribute('data-vault', 'sealed');
  await page.getByTestId('passphrase').fill(NEW_PASSPHRASE);
  await page.getByTestId('passphrase-submit').click();
  await expect(vaultStatus(page)).toHaveAttribute('data-vault', 'open');
  await page.goto('/#/people');
  await expect(page.getByTestId('person')).toHaveCount(2);
});

test('bad import files are refused with a clear message and change nothing', async ({
  openApp,
}) => {
  const page = await openApp(fakeCamera('one-face'), '/#/people');
  await importPeople(page, 'bob', 1);
  const notice = page.getByTestId('notice');
  const tryFile = async (name: string, buffer: Buffer, passphrase = FILE_PASSPHRASE) => {
    if (await notice.count()) await notice.getByRole('button', { name: 'Dismiss' }).click();
    await page.getByTestId('import-passphrase').fill(passphrase);
    await page.getByTestId('import').setInputFiles({ name, mimeType: 'application/json', buffer });
    await expect(notice).toContainText('Nothing was imported');
    await expect(page.getByTestId('person')).toHaveCount(1);
    return (await notice.textContent()) ?? '';
  };
  // A real backup of someone else, with its contents changed as an attacker or a bug would.
  const carol = JSON.parse(
    await openExport(readFileSync(importFile('bob-carol'), 'utf8'), FILE_PASSPHRASE),
  ) as { people: { name: string }[] };
  const withName = async (name: string) => {
    const copy = structuredClone(carol);
    copy.people = copy.people.filter((p) => p.name === 'Carol').map((p) => ({ ...p, name }));
    return Buffer.from(await sealExport(JSON.stringify(copy), FILE_PASSPHRASE));
  };

  expect(
    await tryFile('random.json', Buffer.from(crypto.getRandomValues(new Uint8Array(4096)))),
  ).toContain('not a facegate backup');
  expect(await tryFile('long-name.json', await withName('x'.repeat(10_000)))).toContain(
    'at most 60 characters',
  );
  expect(await tryFile('wrong.json', await withName('Carol'), 'wrong passphrase')).toContain(
    'Wrong passphrase',
  );
  expect(await tryFile('huge.json', Buffer.alloc(IMPORT_MAX_BYTES + 1, 0x20))).toContain('MB');

  // A name carrying HTML is kept as text, never run as markup.
  const html = '<img src=x onerror="document.title=\'owned\'">Mallory';
  if (await notice.count()) await notice.getByRole('button', { name: 'Dismiss' }).click();
  await page.getByTestId('import').setInputFiles({
    name: 'html.json',
    mimeType: 'application/json',
    buffer: await withName(html),
  });
  await expect(page.getByTestId('person')).toHaveCount(2);
  await expect(page.getByTestId('people-list')).toContainText(html);
  await expect(page.getByTestId('people-list').locator('img[src="x"]')).toHaveCount(0);
  expect(await page.title()).not.toBe('owned');
});
