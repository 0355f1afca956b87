import {
  test as base,
  expect,
  chromium,
  type Browser,
  type BrowserContext,
  type Page,
} from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from '../../scripts/lib/chromium.ts';

export { expect };

/**
 * How the browser sees a camera:
 * - a y4m path: a fake camera playing that file in a loop, access granted;
 * - 'denied': a fake camera exists but the permission request is refused;
 * - 'none': access is granted but there is no camera at all (this machine has none).
 */
// A y4m path, or one of the two words (string & {} keeps them visible as literals).
export type CameraSetup = 'denied' | 'none' | (string & {});

export function cameraArgs(camera: CameraSetup): string[] {
  if (camera === 'denied') return ['--use-fake-device-for-media-stream'];
  if (camera === 'none') return ['--use-fake-ui-for-media-stream'];
  return [
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-video-capture=${camera}`,
  ];
}

/** Fails the test on any request to another origin, from the page, its workers or service worker. */
export function guardOrigin(context: BrowserContext, origin: string): () => void {
  const offOrigin: string[] = [];
  context.on('request', (request) => {
    const url = request.url();
    if (url.startsWith('data:') || url.startsWith('blob:')) return;
    if (new URL(url).origin !== origin) offOrigin.push(url);
  });
  return () => expect(offOrigin, 'requests to other origins').toEqual([]);
}

/**
 * Fails the test on any uncaught error (`pageerror`) in a page of the context: the pages open now
 * and any opened later.
 */
export function guardPageErrors(context: BrowserContext): () => void {
  const errors: string[] = [];
  const watch = (page: Page) =>
    page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.stack ?? error.message}`));
  for (const page of context.pages()) watch(page);
  context.on('page', watch);
  return () => expect(errors, 'uncaught errors in pages').toEqual([]);
}

/** Both guards: no request to another origin, no uncaught error in any page. */
function guardContext(context: BrowserContext, origin: string): () => void {
  const checks = [guardOrigin(context, origin), guardPageErrors(context)];
  return () => {
    for (const check of checks) check();
  };
}

interface Fixtures {
  /** Opens the app in a fresh Chromium whose camera is set up as asked (plus any extra flags). */
  openApp: (camera: CameraSetup, path?: string, extraArgs?: string[]) => Promise<Page>;
}

export const test = base.extend<Fixtures>({
  openApp: async ({ baseURL }, use) => {
    const origin = new URL(baseURL ?? 'http://localhost').origin;
    const opened: { browser: Browser; check: () => void }[] = [];
    await use(async (camera, path = '/', extraArgs = []) => {
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [...CHROMIUM_ARGS, ...cameraArgs(camera), ...extraArgs],
      });
      const context = await browser.newContext({ baseURL: origin });
      const check = guardContext(context, origin);
      opened.push({ browser, check });
      const page = await context.newPage();
      await page.goto(path);
      return page;
    });
    for (const { browser, check } of opened) {
      await browser.close();
      check();
    }
  },
});

/**
 * A Chromium with a persistent profile (IndexedDB, Cache Storage and the service worker survive
 * a restart with the same folder) and the given camera; `check` asserts no off-origin request
 * and no uncaught error in any of its pages.
 */
export async function launchProfile(
  profile: string,
  camera: CameraSetup,
  origin: string,
): Promise<{ context: BrowserContext; check: () => void }> {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS, ...cameraArgs(camera)],
    baseURL: origin,
  });
  return { context, check: guardContext(context, origin) };
}
