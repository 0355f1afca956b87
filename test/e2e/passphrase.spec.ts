import { readFileSync } from 'node:fs';
import { expect, test } from './fixtures.ts';
import { FILE_PASSPHRASE, fakeCamera, importFile } from './paths.ts';
import { importPeople } from './people.ts';
import { rawRecords } from './raw-db.ts';
import { PASSPHRASE, lockVault, vaultStatus } from './vault.ts';
import type { KdfParams } from '../../src/lib/crypto/kdf.ts';
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
  await expect(page.getByTestId('passphrase-result')).toContainText('Wrong current passphrase');
  // The 1 s a wrong passphrase earns (the change form shares the unlock form's count).
  await page.waitForTimeout(1_100);

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
  await expect(page.getByTestId('passphrase-error')).toContainText('Wrong passphrase');
  await expect(vaultStatus(page)).toHaveAttribute('data-vault', 'sealed');
  await page.getByTestId('passphrase').fill(NEW_PASSPHRASE);
  // Waits while the button is disabled (the 1 s after the wrong one).
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
  const withName = async (name: string, kdf?: KdfParams) => {
    const copy = structuredClone(carol);
    copy.people = copy.people.filter((p) => p.name === 'Carol').map((p) => ({ ...p, name }));
    return Buffer.from(await sealExport(JSON.stringify(copy), FILE_PASSPHRASE, kdf));
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

  // A backup sealed as versions before Argon2id did (PBKDF2-SHA256, 600,000 rounds) imports.
  await page.getByTestId('import').setInputFiles({
    name: 'pbkdf2.json',
    mimeType: 'application/json',
    buffer: await withName('Old Format', { name: 'PBKDF2-SHA256', iterations: 600_000 }),
  });
  await expect(page.getByTestId('person')).toHaveCount(3);
  await expect(page.getByTestId('people-list')).toContainText('Old Format');
});

test('wrong passphrases wait longer each time, also after a reload; the right one clears it', async ({
  openApp,
}) => {
  const page = await openApp(fakeCamera('one-face'), '/#/people');
  // Argon2id runs in its worker (under the app's CSP); a fallback to the page would say so.
  const kdfWorkers: string[] = [];
  const fallbacks: string[] = [];
  page.on('worker', (w) => {
    if (w.url().includes('kdf.worker')) kdfWorkers.push(w.url());
  });
  page.on('console', (m) => {
    if (m.text().includes('key derivation worker failed')) fallbacks.push(m.text());
  });
  await importPeople(page, 'bob', 1);
  const wrap = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('facegate');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error('open failed'));
    });
    const record = await new Promise<{ kdf?: unknown; iterations?: unknown }>((resolve) => {
      const req = db.transaction('vault').objectStore('vault').get('passphrase');
      req.onsuccess = () => resolve(req.result as { kdf?: unknown; iterations?: unknown });
    });
    db.close();
    return record;
  });
  expect(wrap.kdf).toEqual({ name: 'Argon2id', memoryKiB: 65_536, iterations: 3, parallelism: 1 });
  expect(wrap.iterations).toBeUndefined();

  await page.reload();
  await page.goto('/#/unlock');
  await expect(vaultStatus(page)).toHaveAttribute('data-vault', 'sealed', { timeout: 30_000 });
  const submit = page.getByTestId('passphrase-submit');
  const error = page.getByTestId('passphrase-error');
  await page.getByTestId('passphrase').fill('not the passphrase');
  // Failures 1-3: waits of 1, 2 and 4 s; each click waits for the button to come back.
  for (const wait of [1, 2, 4]) {
    await submit.click({ timeout: 10_000 });
    await expect(error).toContainText('Wrong passphrase', { timeout: 30_000 });
    if (wait > 1) {
      // Long enough to be seen: the countdown and the disabled button.
      await expect(error).toContainText(/Try again in \d s/);
      await expect(submit).toBeDisabled();
      await expect(submit).toHaveText(/Wait \d s/);
    }
  }
  // The fourth earns 8 s, and a reload does not start it over.
  await submit.click({ timeout: 10_000 });
  await expect(error).toContainText(/Try again in \d s/, { timeout: 30_000 });
  await page.reload();
  await page.goto('/#/unlock');
  await expect(vaultStatus(page)).toHaveAttribute('data-vault', 'sealed', { timeout: 30_000 });
  await expect(page.getByTestId('passphrase-error')).toContainText(/Try again in \d s/);
  await page.getByTestId('passphrase').fill(PASSPHRASE);
  await expect(page.getByTestId('passphrase-submit')).toBeDisabled();
  await page.getByTestId('passphrase-submit').click({ timeout: 15_000 });
  await expect(vaultStatus(page)).toHaveAttribute('data-vault', 'open', { timeout: 30_000 });

  // Cleared: a wrong one now waits 1 s again, not 16.
  await lockVault(page);
  await page.reload();
  await page.goto('/#/unlock');
  await expect(vaultStatus(page)).toHaveAttribute('data-vault', 'sealed', { timeout: 30_000 });
  await page.getByTestId('passphrase').fill('not the passphrase');
  await page.getByTestId('passphrase-submit').click();
  await expect(page.getByTestId('passphrase-error')).toContainText('Wrong passphrase');
  await expect(page.getByTestId('passphrase-submit')).toBeEnabled({ timeout: 2_000 });

  expect(kdfWorkers.length).toBeGreaterThan(0);
  expect(fallbacks).toEqual([]);
});
