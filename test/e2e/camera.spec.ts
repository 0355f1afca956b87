import { test, expect } from './fixtures.ts';
import { fakeCamera } from './paths.ts';

type Box = [number, number, number, number];

test.describe('one face in view', () => {
  test('draws the box and keypoints and shows the aligned crop', async ({ openApp }) => {
    const page = await openApp(fakeCamera('one-face'), '/#/camera');
    const overlay = page.getByTestId('face-overlay');
    await expect(overlay).toHaveAttribute('data-box', /\d/);
    const box = JSON.parse((await overlay.getAttribute('data-box')) ?? '[]') as Box;
    const keypoints = JSON.parse((await overlay.getAttribute('data-keypoints')) ?? '[]') as [
      number,
      number,
    ][];
    const [x, y, w, h] = box;
    expect(w).toBeGreaterThan(60);
    expect(h).toBeGreaterThan(60);
    expect(keypoints.length).toBe(6);
    // Eyes, nose and mouth lie inside the box (the ear points may sit on its edge).
    for (const [kx, ky] of keypoints.slice(0, 4)) {
      expect(kx).toBeGreaterThanOrEqual(x);
      expect(kx).toBeLessThanOrEqual(x + w);
      expect(ky).toBeGreaterThanOrEqual(y);
      expect(ky).toBeLessThanOrEqual(y + h);
    }
    const crop = page.getByTestId('aligned-crop');
    await expect(crop).toHaveAttribute('data-has-crop', 'true');
    // The crop holds a real picture, not a blank canvas.
    const spread = await crop.evaluate((el) => {
      const ctx = (el as HTMLCanvasElement).getContext('2d');
      const data = ctx?.getImageData(0, 0, 112, 112).data ?? new Uint8ClampedArray();
      let min = 255;
      let max = 0;
      for (let i = 0; i < data.length; i += 4) {
        min = Math.min(min, data[i] ?? 0);
        max = Math.max(max, data[i] ?? 0);
      }
      return max - min;
    });
    expect(spread).toBeGreaterThan(80);
    await expect(page.getByTestId('quality')).not.toHaveAttribute('data-reasons', /no_face/);
    await expect(page.getByTestId('stats')).toContainText('ms');
  });

  test('the CSP blocks requests to other origins', async ({ openApp }) => {
    const page = await openApp(fakeCamera('one-face'), '/#/camera');
    const response = await page.reload();
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("connect-src 'self'");
    const outcome = await page.evaluate(async () => {
      try {
        await fetch('https://example.com/collect', { mode: 'no-cors' });
        return 'sent';
      } catch {
        return 'blocked';
      }
    });
    expect(outcome).toBe('blocked');
  });
});

test.describe('two people in view', () => {
  test('says there is more than one face', async ({ openApp }) => {
    const page = await openApp(fakeCamera('two-faces'), '/#/camera');
    const quality = page.getByTestId('quality');
    await expect(quality).toHaveAttribute('data-reasons', /multiple_faces/);
    await expect(quality).toContainText('More than one face');
  });
});

test.describe('nobody in view', () => {
  test('says no face was found', async ({ openApp }) => {
    const page = await openApp(fakeCamera('blank'), '/#/camera');
    const quality = page.getByTestId('quality');
    await expect(quality).toHaveAttribute('data-reasons', 'no_face');
    await expect(quality).toContainText('No face');
    await expect(page.getByTestId('aligned-crop')).toHaveAttribute('data-has-crop', 'false');
  });
});

test.describe('a very dark room', () => {
  test('finds the face but says it is too dark', async ({ openApp }) => {
    const page = await openApp(fakeCamera('dark'), '/#/camera');
    const overlay = page.getByTestId('face-overlay');
    await expect(overlay).toHaveAttribute('data-box', /\d/);
    // Found and counted, but held by the gate (amber), not usable.
    await expect(overlay).toHaveAttribute('data-primary-state', 'held');
    const quality = page.getByTestId('quality');
    await expect(quality).toHaveAttribute('data-reasons', /(^|,)too_dark(,|$)/);
    await expect(quality).toContainText('Too dark. Add light in front of you.');
    await expect(quality).not.toContainText('Good');
  });
});

test.describe('camera permission denied', () => {
  test('shows a clear message and a way to retry', async ({ openApp }) => {
    const page = await openApp('denied', '/#/camera');
    const problem = page.getByTestId('camera-error');
    await expect(problem).toContainText('Camera access was refused');
    await expect(problem.getByRole('button', { name: 'Try again' })).toBeVisible();
  });
});

test.describe('no camera at all', () => {
  test('says no camera was found', async ({ openApp }) => {
    const page = await openApp('none', '/#/camera');
    await expect(page.getByTestId('camera-error')).toContainText('No camera was found');
  });
});
