import { test as base, expect } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from '../../playwright.config.ts';

export { expect };

/** Launch options for a fake camera that plays `y4m` in a loop and grants camera access. */
export function withFakeCamera(y4m: string) {
  return {
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        ...CHROMIUM_ARGS,
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-video-capture=${y4m}`,
      ],
    },
  };
}

/**
 * Every test fails if the page asks anything of another origin: privacy is the product.
 * The check is on the browser context, so it also sees workers and the service worker.
 */
export const test = base.extend<{ offOriginGuard: void }>({
  offOriginGuard: [
    async ({ context, baseURL }, use) => {
      const origin = new URL(baseURL ?? 'http://localhost').origin;
      const offOrigin: string[] = [];
      context.on('request', (request) => {
        const url = request.url();
        if (url.startsWith('data:') || url.startsWith('blob:')) return;
        if (new URL(url).origin !== origin) offOrigin.push(url);
      });
      await use();
      expect(offOrigin, 'requests to other origins').toEqual([]);
    },
    { auto: true },
  ],
});
