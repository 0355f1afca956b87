import { test, expect } from './fixtures.ts';
import { fakeCamera } from './paths.ts';

/**
 * A static host (object storage, a plain file server) may send no Content-Security-Policy header.
 * The built index.html carries the same policy as a meta tag (scripts/lib/csp-meta-plugin.ts), so
 * the page still cannot reach another origin, and the app still loads and works under it.
 */
test('without a CSP header the meta policy still blocks other origins; the app works', async ({
  openApp,
  baseURL,
}) => {
  const origin = new URL(baseURL ?? 'http://localhost').origin;
  const page = await openApp(fakeCamera('one-face'), 'about:blank');
  // Every response of the app's origin reaches the page without its CSP header. Fetched by Node
  // (which resolves localhost as vite preview binds it), decompressed, headers passed on.
  await page.context().route(`${origin}/**`, async (route) => {
    const request = route.request();
    const upstream = await fetch(request.url(), { method: request.method() });
    const dropped = ['content-security-policy', 'content-encoding', 'content-length'];
    const headers: Record<string, string> = {};
    upstream.headers.forEach((value, name) => {
      if (!dropped.includes(name.toLowerCase())) headers[name] = value;
    });
    await route.fulfill({
      status: upstream.status,
      headers,
      body: Buffer.from(await upstream.arrayBuffer()),
    });
  });

  const response = await page.goto('/#/camera');
  expect(response?.headers()['content-security-policy']).toBeUndefined();
  const meta = page.locator('meta[http-equiv="Content-Security-Policy"]');
  await expect(meta).toHaveAttribute('content', /connect-src 'self'(;|$)/);
  // frame-ancestors is header-only: a meta tag would only log an error for it.
  await expect(meta).not.toHaveAttribute('content', /frame-ancestors/);

  // The camera, MediaPipe's wasm and the landmark model start under the meta policy.
  await expect(page.getByTestId('face-overlay')).toHaveAttribute('data-box', /\d/);
  await expect(page.getByTestId('aligned-crop')).toHaveAttribute('data-has-crop', 'true');

  const outcome = await page.evaluate(async () => {
    const violation = new Promise<string>((resolve) =>
      document.addEventListener('securitypolicyviolation', (e) => resolve(e.effectiveDirective), {
        once: true,
      }),
    );
    try {
      await fetch('https://example.com/collect', { mode: 'no-cors' });
      return { sent: true, directive: '' };
    } catch {
      const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('none'), 5000));
      return { sent: false, directive: await Promise.race([violation, timeout]) };
    }
  });
  // Refused by the policy, not merely unreachable.
  expect(outcome).toEqual({ sent: false, directive: 'connect-src' });

  // The face model (tfjs backend) starts too, and other screens render.
  await page
    .getByRole('navigation', { name: 'Screens' })
    .getByRole('link', { name: 'Unlock' })
    .click();
  await expect(page.getByTestId('nobody-enrolled')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('model-error')).toHaveCount(0);
  await page
    .getByRole('navigation', { name: 'Screens' })
    .getByRole('link', { name: 'Help' })
    .click();
  await expect(page.getByRole('heading', { level: 2 }).first()).toBeVisible();
});
