import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { FILE_PASSPHRASE, fakeCamera, importFile } from './paths.ts';
import { PASSPHRASE, unlockByFace, vaultStatus } from './vault.ts';

test.setTimeout(240_000);

/** Moves within the page (a new address would reload it, dropping ?backend and the key). */
async function screen(page: Page, name: string): Promise<void> {
  await page.evaluate((hash) => (location.hash = hash), `#/${name}`);
}

/**
 * The app runs on WebGL (forced with ?backend=webgl; the probe would pick wasm on this CPU-only
 * machine), then the frame pipeline's WebGL context is lost for real (WEBGL_lose_context), as on
 * a GPU reset. Face processing moves to wasm and an unlock still opens the vault.
 */
test('the WebGL context lost mid-session: face processing falls back to wasm and carries on', async ({
  openApp,
}) => {
  const page = await openApp(fakeCamera('d9-verify'), '/#/help');
  await page.goto('/?backend=webgl#/settings');
  await page.getByTestId('new-passphrase').fill(PASSPHRASE);
  await page.getByTestId('confirm-passphrase').fill(PASSPHRASE);
  await page.getByTestId('vault-create').click();
  await expect(vaultStatus(page)).toHaveAttribute('data-vault', 'open', { timeout: 30_000 });
  await screen(page, 'people');
  await page.getByTestId('import-passphrase').fill(FILE_PASSPHRASE);
  await page.getByTestId('import').setInputFiles(importFile('bob'));
  await expect(page.getByTestId('person')).toHaveCount(1, { timeout: 60_000 });
  await screen(page, 'unlock');
  await page.getByTestId('lock').click();
  const backend = page.getByTestId('engine-backend');
  await expect(backend).toHaveAttribute('data-backend', 'webgl', { timeout: 60_000 });

  // The models run in the frame-pipeline worker, on tfjs's WebGL context there; tfjs keeps its
  // engine on the global scope, so the test reaches that context and loses it for real.
  // The frames worker, not the embedder beside it (same script, another name): its loss is the
  // one the page is told of, and the embedder follows it.
  const named = await Promise.all(
    page
      .workers()
      .filter((w) => w.url().includes('pipeline.worker'))
      .map(async (w) => ({ w, name: await w.evaluate(() => self.name) })),
  );
  const worker = named.find((n) => n.name === 'facegate-pipeline')?.w;
  if (!worker) throw new Error('the frame-pipeline worker is not running');
  const lost = await worker.evaluate(() => {
    interface TfEngine {
      backendInstance?: { gpgpu?: { gl?: WebGL2RenderingContext } };
    }
    const gl = (self as unknown as { _tfengine?: TfEngine })._tfengine?.backendInstance?.gpgpu?.gl;
    const ext = gl?.getExtension('WEBGL_lose_context');
    if (!gl || !ext || gl.isContextLost()) return 0;
    ext.loseContext();
    return 1;
  });
  expect(lost).toBeGreaterThan(0);
  await expect(page.getByTestId('notice')).toContainText('carries on with wasm', {
    timeout: 30_000,
  });
  await expect(backend).toHaveAttribute('data-backend', 'wasm');

  // The models load again on wasm, and Bob's face still opens the vault. Like a person, the test
  // may try again: his video shows life only now and then, and the first frames after the switch
  // come slower while the models reload.
  await unlockByFace(page, 'Bob');
});
