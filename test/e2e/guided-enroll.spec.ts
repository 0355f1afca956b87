import { expect, test } from './fixtures.ts';
import { expectDistinctViews } from './enroll-views.ts';
import { fakeCamera } from './paths.ts';
import { openVault } from './vault.ts';

test.setTimeout(240_000);

test('a still photo of a face never enrolls: no view is taken, and the screen says why', async ({
  openApp,
}) => {
  const page = await openApp(fakeCamera('d3-still'), '/#/enroll');
  await openVault(page);
  await page.goto('/#/enroll');
  const guide = page.getByTestId('enroll-capturing');
  const guidance = page.getByTestId('enroll-guidance');
  // The photo is a clear frontal face: only liveness holds it, and after a while the screen says so.
  await expect(guidance).toHaveText(/no sign of a live face yet/i, { timeout: 150_000 });
  await expect(guide).toHaveAttribute('data-live', 'no');
  // 15 s more of the same photo: still no sample, still the straight view.
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    await expect(guide).toHaveAttribute('data-step-id', 'straight');
    expect(JSON.parse((await guide.getAttribute('data-sample-poses')) ?? '[]')).toHaveLength(0);
    await expect(page.getByTestId('enroll-name-form')).toHaveCount(0);
    await page.waitForTimeout(1000);
  }
});

test('the d3 video passes each view, and the recorded poses really differ', async ({ openApp }) => {
  const page = await openApp(fakeCamera('d3-enroll'), '/#/enroll');
  await openVault(page);
  await page.goto('/#/enroll');
  const form = page.getByTestId('enroll-name-form');
  // One voice: while the views are taken, the camera panel says what the guidance line says,
  // and never "No face found" while a face is drawn.
  const samples: { line: string; panel: string; faces: number }[] = [];
  while ((await form.count()) === 0) {
    const sample = await page.evaluate(() => {
      const text = (id: string) =>
        document.querySelector(`[data-testid="${id}"]`)?.textContent?.trim() ?? null;
      const overlay = document.querySelector('[data-testid="face-overlay"]');
      return {
        line: text('enroll-guidance'),
        panel: text('quality'),
        faces: Number(overlay?.getAttribute('data-faces') ?? 0),
      };
    });
    if (sample.line !== null && sample.panel !== null && sample.line !== '') {
      samples.push({ line: sample.line, panel: sample.panel, faces: sample.faces });
    }
    await page.waitForTimeout(100);
    if (samples.length > 3000) break;
  }
  await expect(form).toBeVisible({ timeout: 150_000 });
  console.log(
    `one voice: ${samples.length} samples, ${new Set(samples.map((s) => s.line)).size} lines`,
  );
  expect(samples.length).toBeGreaterThan(5);
  for (const s of samples) {
    expect(s.panel, 'the camera panel and the guidance line').toBe(s.line);
    if (s.faces > 0) expect(s.line).not.toMatch(/no face found/i);
  }
  const poses = await expectDistinctViews(form);
  console.log(`d3 sample poses: ${JSON.stringify(poses)}`);
});
