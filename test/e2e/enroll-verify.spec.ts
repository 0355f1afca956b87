import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { coopVideos, launchCoopProfile, type CoopVideo } from './cooperative-camera.ts';
import { expect, launchProfile, test } from './fixtures.ts';
import { VIDEOS, fakeCamera } from './paths.ts';
import { exportPeopleTo, importPeople } from './people.ts';
import { FILE_PASSPHRASE, armVault, lockVault, openVault, unlockByFace } from './vault.ts';

test.setTimeout(600_000);

/**
 * One persistent browser profile, restarted with a different fake camera for each step: the
 * people enrolled in one run of the browser must still be there in the next. Alice is the d9
 * video, enrolled through the guided views as the cooperative person of her video (it does what
 * the screen asks: cooperative-camera.ts), and unlocks from another stretch of it, where she
 * blinks (a still frame of it is refused as not live). Dan (the d12 video) and Carol (LFW photos)
 * come in through People → Import with real embeddings made by global-setup.
 */
test('enroll, verify 1:1, reject another person, identify among three, export/import, offline, across restarts', async ({
  baseURL,
}) => {
  const origin = new URL(baseURL ?? 'http://localhost').origin;
  const profile = mkdtempSync(join(tmpdir(), 'facegate-profile-'));
  // Alice enrolling: her pose timeline is measured once by the app's front end and cached.
  const [alice] = await coopVideos([VIDEOS], () => {}, new Set(['d9']));
  const checks: (() => void)[] = [];

  async function withCamera<T>(
    camera: string | CoopVideo,
    path: string,
    body: (page: Page) => Promise<T>,
  ): Promise<T> {
    const { context, check } =
      typeof camera === 'string'
        ? await launchProfile(profile, fakeCamera(camera), origin)
        : await launchCoopProfile(profile, camera, origin);
    checks.push(check);
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(path);
      return await body(page);
    } finally {
      await context.close();
    }
  }

  async function enroll(camera: string | CoopVideo, name: string) {
    await withCamera(camera, '/#/enroll', async (page) => {
      // The first enrollment on this device sets the passphrase.
      await openVault(page);
      await page.goto('/#/enroll');
      await expect(page.getByTestId('enroll-prompt')).toBeVisible({ timeout: 60_000 });
      await expect(page.getByTestId('enroll-name-form')).toBeVisible({ timeout: 120_000 });
      await expect(page.getByTestId('enroll-duplicate')).toHaveCount(0);
      await page.getByTestId('enroll-name').fill(name);
      await page.getByRole('button', { name: 'Save' }).click();
      await expect(page.getByTestId('enroll-done')).toBeVisible();
    });
  }

  async function attempt(page: Page, target: string) {
    await page.getByTestId('verify-target').selectOption({ label: target });
    await page.getByTestId('unlock-start').click();
  }

  await enroll(alice!, 'Alice');

  // Browser restarted: Alice is still enrolled, and another stretch of her video opens the vault.
  // After a restart the passphrase is asked once; then the face opens the vault.
  await withCamera('d9-verify', '/#/unlock', async (page) => {
    await expect(page.getByTestId('secret-needed')).toBeVisible({ timeout: 30_000 });
    await armVault(page);
    await unlockByFace(page, 'Alice');
    await page.getByTestId('lock').click();
    await expect(page.getByTestId('vault-locked')).toBeVisible();
  });

  // A still photo of Alice (a frame of her video none of her views came from) opens nothing, and
  // the screen says it is because no live face was seen.
  await withCamera('d9-still', '/#/unlock', async (page) => {
    await armVault(page);
    await attempt(page, 'Alice');
    const ended = page.getByTestId('attempt-ended');
    await expect(ended).toBeVisible({ timeout: 60_000 });
    await expect(ended).toHaveAttribute('data-reason', 'not_live');
    await expect(ended).toContainText('No sign of a live face');
    await expect(page.getByTestId('vault-open')).toHaveCount(0);
    // A spoof counts toward the lockout.
    await expect(page.getByTestId('attempts-left')).toHaveAttribute('data-failures', '1');
  });

  // Dan in front of the camera is not Alice.
  await withCamera('d12-stranger', '/#/people', async (page) => {
    await importPeople(page, 'dan-carol', 3);
    await lockVault(page);
    await attempt(page, 'Alice');
    await expect(page.getByTestId('verify-status')).toHaveAttribute('data-status', 'rejected', {
      timeout: 90_000,
    });
    await expect(page.getByTestId('vault-open')).toHaveCount(0);
  });

  // Identify (1:N) picks Alice among the three enrolled people.
  await withCamera('d9-verify', '/#/unlock', async (page) => {
    await armVault(page);
    await expect(page.getByTestId('verify-target').locator('option')).toHaveCount(4, {
      timeout: 60_000,
    });
    await unlockByFace(page, 'Alice', 4, 'Anyone enrolled (identify)');

    // Opened by her face, the vault lets her manage people. Export (encrypted with a passphrase
    // for the file), delete everyone, refuse a malformed file and a wrong passphrase, import.
    await page.goto('/#/people');
    await expect(page.getByTestId('person')).toHaveCount(3);
    const exported = join(profile, 'export.json');
    const exportedText = await exportPeopleTo(page, exported);
    expect(exportedText).not.toContain('Carol');
    expect(JSON.parse(exportedText)).toMatchObject({ version: 2, cipher: { name: 'AES-256-GCM' } });
    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('delete-all').click();
    await expect(page.getByTestId('people-empty')).toBeVisible();
    await page.getByTestId('import').setInputFiles({
      name: 'broken.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"format":"facegate-export","version":1,"people":[{"name":'),
    });
    await expect(page.getByTestId('notice')).toContainText('Nothing was imported');
    await expect(page.getByTestId('people-empty')).toBeVisible();
    await page.getByTestId('notice').getByRole('button', { name: 'Dismiss' }).click();
    await page.getByTestId('import-passphrase').fill('not the file passphrase');
    await page.getByTestId('import').setInputFiles(exported);
    await expect(page.getByTestId('notice')).toContainText('Wrong passphrase');
    await expect(page.getByTestId('people-empty')).toBeVisible();
    await page.getByTestId('import-passphrase').fill(FILE_PASSPHRASE);
    await page.getByTestId('import').setInputFiles(exported);
    await expect(page.getByTestId('person')).toHaveCount(3);

    // Rename Carol, delete Dan: every record of him goes, the others stay.
    const carol = page.locator('[data-testid=person][data-name=Carol]');
    await carol.getByRole('button', { name: 'Rename' }).click();
    await page.getByRole('textbox', { name: 'New name' }).fill('Caroline');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.locator('[data-testid=person][data-name=Caroline]')).toHaveCount(1);
    page.once('dialog', (d) => void d.accept());
    await page
      .locator('[data-testid=person][data-name=Dan]')
      .getByRole('button', { name: 'Delete' })
      .click();
    await expect(page.getByTestId('person')).toHaveCount(2);
    const danSamples = await page.evaluate(
      () =>
        new Promise<number>((resolve, reject) => {
          const open = indexedDB.open('facegate');
          open.onerror = () => reject(open.error ?? new Error('indexedDB.open failed'));
          open.onsuccess = () => {
            const db = open.result;
            const all = db.transaction('samples').objectStore('samples').getAll();
            all.onsuccess = () => {
              const people = db.transaction('people').objectStore('people').getAll();
              people.onsuccess = () => {
                const ids = new Set((people.result as { id: string }[]).map((p) => p.id));
                resolve(
                  (all.result as { personId: string }[]).filter((x) => !ids.has(x.personId)).length,
                );
                db.close();
              };
            };
          };
        }),
    );
    expect(danSamples).toBe(0);

    // Offline: the service worker serves the app, and Alice still unlocks it.
    await page.context().setOffline(true);
    await page.goto('/#/unlock');
    await page.reload();
    await armVault(page);
    await unlockByFace(page, 'Alice');
  });

  for (const check of checks) check();
});
