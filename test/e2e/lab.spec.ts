import { readFileSync } from 'node:fs';
import { expect, test } from './fixtures.ts';

test.setTimeout(240_000);

const LOSSES = ['softmax', 'nsl', 'sphereface', 'cosface', 'arcface'] as const;

/** The margin lab trains each loss for real in its worker, draws 8 classes and exports an SVG. */
test('the margin lab trains every loss, draws all 8 classes and exports a well-formed SVG', async ({
  openApp,
}) => {
  const page = await openApp('none', '/#/lab');
  await expect(page.getByTestId('lab-source')).toBeVisible({ timeout: 60_000 });
  const result = page.getByTestId('lab-result-a');
  await page.getByTestId('lab-steps').fill('40');
  for (const loss of LOSSES) {
    await page.getByTestId('lab-loss-a').selectOption(loss);
    await page.getByTestId('lab-reset').click();
    await expect(result).toHaveAttribute('data-step', '0');
    await expect(result).toHaveAttribute('data-loss', loss);
    await page.getByTestId('lab-step').click();
    await expect(result).toHaveAttribute('data-step', '40', { timeout: 60_000 });
    const first = Number(await result.getAttribute('data-first-loss'));
    const last = Number(await result.getAttribute('data-last-loss'));
    console.log(`${loss}: loss ${first.toFixed(3)} -> ${last.toFixed(3)}`);
    expect(Number.isFinite(last)).toBe(true);
    expect(last).toBeLessThan(first);
    const figure = result.getByTestId('lab-figure');
    await expect(figure).toHaveAttribute('data-classes', '8');
    expect(Number(await figure.getAttribute('data-points'))).toBeGreaterThanOrEqual(64);
  }

  const download = page.waitForEvent('download');
  await page.getByTestId('lab-export-svg-a').click();
  const file = await (await download).path();
  const svg = readFileSync(file, 'utf8');
  const parsed = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    return {
      error: doc.getElementsByTagName('parsererror').length,
      root: doc.documentElement.localName,
      namespace: doc.documentElement.namespaceURI,
      circles: doc.getElementsByTagName('circle').length,
    };
  }, svg);
  expect(parsed).toMatchObject({ error: 0, root: 'svg', namespace: 'http://www.w3.org/2000/svg' });
  expect(parsed.circles).toBeGreaterThanOrEqual(64);

  const png = page.waitForEvent('download');
  await page.getByTestId('lab-export-png-a').click();
  const pngBytes = readFileSync(await (await png).path());
  expect(pngBytes.subarray(0, 8)).toEqual(
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  );

  // Side by side: two losses on the same data and seed train together, and pause stops both.
  await page.getByTestId('lab-compare').check();
  await page.getByTestId('lab-loss-a').selectOption('cosface');
  await page.getByTestId('lab-loss-b').selectOption('nsl');
  await page.getByTestId('lab-reset').click();
  await page.getByTestId('lab-play').click();
  const b = page.getByTestId('lab-result-b');
  await expect.poll(async () => Number(await b.getAttribute('data-step'))).toBeGreaterThan(20);
  await page.getByTestId('lab-pause').click();
  await page.waitForTimeout(1000);
  const paused = await b.getAttribute('data-step');
  await page.waitForTimeout(1500);
  expect(await b.getAttribute('data-step')).toBe(paused);
  await expect(page.getByTestId('lab-angles').locator('tbody tr')).toHaveCount(2);
  await expect(page.getByTestId('lab-past-bound')).toHaveCount(0);
  // Past the 2-D bound the lab says the paper's prediction.
  await page.getByTestId('lab-m-a').fill('0.5');
  await expect(page.getByTestId('lab-past-bound')).toContainText('past the bound');

  // The m sweep: CosFace converges inside the 2-D bound (0.293) and not past it.
  await page.getByTestId('lab-compare').uncheck();
  await page.getByTestId('lab-steps').fill('160');
  await page.getByTestId('lab-sweep-run').click();
  const rows = page.getByTestId('lab-sweep').locator('tbody tr');
  await expect(rows).toHaveCount(9, { timeout: 180_000 });
  await expect(rows.and(page.locator('[data-m="0.2"]'))).toHaveAttribute('data-converging', 'yes');
  await expect(rows.and(page.locator('[data-m="0.45"]'))).toHaveAttribute('data-converging', 'no');
});
