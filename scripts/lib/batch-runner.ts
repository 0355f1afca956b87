/**
 * Runs the app's own front end (src/tools/batch.html) in headless Chromium over files on disk.
 * A Vite dev server serves the app code plus the dataset folder under /__data/, so images are read
 * from their place (never copied) and come from the page's own origin.
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Plugin, type ViteDevServer } from 'vite';
import { chromium, type Browser, type Page } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium.ts';
import type {
  BatchItemResult,
  BatchOptions,
  ContactSheetRequest,
  PresentationRequest,
  PresentedFrameResult,
} from '../../src/tools/batch-protocol.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const MIME: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.bmp': 'image/bmp',
};

function serveDataFolder(prefix: string, dataRoot: string): Plugin {
  const base = resolve(dataRoot) + sep;
  return {
    name: `facegate-data-folder${prefix}`,
    configureServer(server) {
      server.middlewares.use(prefix, (req: IncomingMessage, res: ServerResponse) => {
        const rel = decodeURIComponent((req.url ?? '').split('?')[0] ?? '');
        const file = resolve(base, `.${rel.startsWith('/') ? rel : `/${rel}`}`);
        if (!file.startsWith(base)) {
          res.statusCode = 403;
          res.end();
          return;
        }
        readFile(file).then(
          (bytes) => {
            res.setHeader(
              'Content-Type',
              MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
            );
            res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
            res.end(bytes);
          },
          () => {
            res.statusCode = 404;
            res.end();
          },
        );
      });
    },
  };
}

export const dataUrl = (relPath: string, prefix = '/__data/') =>
  `${prefix}${relPath.split(/[\\/]/).map(encodeURIComponent).join('/')}`;

export class BatchRunner {
  private constructor(
    private readonly server: ViteDevServer,
    private readonly browser: Browser,
    private readonly page: Page,
  ) {}

  /**
   * `dataRoot` is served under /__data/; `moreRoots` maps further URL prefixes ('/__frames/') to
   * folders, for runs that read from two places.
   */
  static async start(
    dataRoot: string,
    extraArgs: string[] = [],
    moreRoots: Record<string, string> = {},
  ): Promise<BatchRunner> {
    const server = await createServer({
      root: ROOT,
      configFile: resolve(ROOT, 'vite.config.ts'),
      logLevel: 'warn',
      plugins: [
        serveDataFolder('/__data/', dataRoot),
        ...Object.entries(moreRoots).map(([prefix, root]) => serveDataFolder(prefix, root)),
      ],
      server: { port: 5199, strictPort: false, hmr: false },
    });
    await server.listen();
    const address = server.resolvedUrls?.local[0];
    if (!address) throw new Error('vite dev server did not report its address');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [...CHROMIUM_ARGS, ...extraArgs],
    });
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.error(`[batch page] ${error.message}`));
    // The dev server transforms the page's modules on first load: 30 s (the default) was not
    // enough on a loaded 2-core CI machine.
    await page.goto(new URL('src/tools/batch.html', address).href, { timeout: 300_000 });
    await page.waitForFunction(
      () => document.body.dataset.ready === 'true' || !!document.body.dataset.error,
      null,
      {
        timeout: 120_000,
      },
    );
    const error = await page.evaluate(() => document.body.dataset.error);
    if (error) {
      await browser.close();
      await server.close();
      throw new Error(`batch page failed to start: ${error}`);
    }
    return new BatchRunner(server, browser, page);
  }

  process(relPaths: string[], options: BatchOptions): Promise<BatchItemResult[]> {
    return this.processUrls(
      relPaths.map((p) => dataUrl(p)),
      options,
    );
  }

  /** Like process, for URLs already made by dataUrl (any served prefix). */
  processUrls(urls: string[], options: BatchOptions): Promise<BatchItemResult[]> {
    return this.page.evaluate(
      ([u, o]) => {
        const api = window.facegateBatch;
        if (!api) throw new Error('batch page lost its API');
        return api.process(u, o);
      },
      [urls, options] as const,
    );
  }

  present(request: PresentationRequest): Promise<PresentedFrameResult[]> {
    return this.page.evaluate((r) => {
      const api = window.facegateBatch;
      if (!api) throw new Error('batch page lost its API');
      return api.present(r);
    }, request);
  }

  contactSheet(request: ContactSheetRequest): Promise<string> {
    return this.page.evaluate((r) => {
      const api = window.facegateBatch;
      if (!api) throw new Error('batch page lost its API');
      return api.contactSheet(r);
    }, request);
  }

  benchEmbed(backend: 'webgpu' | 'webgl' | 'wasm' | 'cpu', runs: number) {
    return this.page.evaluate(
      ([b, r]) => {
        const api = window.facegateBatch;
        if (!api) throw new Error('batch page lost its API');
        return api.benchEmbed(b, r);
      },
      [backend, runs] as const,
    );
  }

  async close(): Promise<void> {
    await this.browser.close();
    await this.server.close();
  }
}
