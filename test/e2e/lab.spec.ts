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
  const { readFileSync } = await import('node:fs');
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
});
