/**
 * Front-end benchmark: the built app in headless Chromium with a fake 640x480 camera showing LFW
 * photos; samples the camera screen's rolling medians of detect, landmark and align time and the FPS.
 *
 *   npm run build && npm run bench:frontend -- [--seconds 30] [--out docs/bench-frontend.json]
 *
 * Needs `npx vite preview` not running on port 4174 (it starts its own).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from './lib/chromium.ts';
import { numberFlag, readFlags } from './lib/cli.ts';
import { listLfwLayout, median, seededRandom } from './lib/dataset.ts';
import { makeFakeCamera } from './make-fake-camera.ts';

const flags = readFlags(
  'npm run bench:frontend -- [--seconds 30] [--out docs/bench-frontend.json] [--data LFW_DIR]',
  {
    seconds: { type: 'string', default: '30' },
    out: { type: 'string', default: 'docs/bench-frontend.json' },
    data: { type: 'string', default: '../shared/data/lfw' },
  },
);
const seconds = numberFlag(flags.seconds, 'seconds');
const out = flags.out;
const lfw = resolve(flags.data);

const random = seededRandom(7);
const all = listLfwLayout(lfw);
const photos = Array.from({ length: 20 }, () => all[Math.floor(random() * all.length)]?.file ?? '');
const y4m = resolve('.cache/bench/frontend.y4m');
makeFakeCamera({
  entries: photos.map((p) => resolve(lfw, p)),
  out: y4m,
  framesPerEntry: 15,
  fps: 30,
});

const port = 4174;
const server = spawn('npx', ['vite', 'preview', '--port', String(port), '--strictPort'], {
  stdio: 'ignore',
  // Its own process group, so that stopping it also stops the vite process npx starts.
  detached: true,
});
try {
  await new Promise((r) => setTimeout(r, 3000));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      ...CHROMIUM_ARGS,
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${y4m}`,
    ],
  });
  const page = await browser.newPage();
  await page.goto(`http://localhost:${port}/#/camera`);
  const stats = page.getByTestId('stats');
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid=stats]')?.getAttribute('data-fps')) > 0,
    null,
    {
      timeout: 60_000,
    },
  );
  const samples: { detect: number; landmark: number; align: number; fps: number }[] = [];
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    await page.waitForTimeout(1000);
    samples.push({
      detect: Number(await stats.getAttribute('data-detect-ms')),
      landmark: Number(await stats.getAttribute('data-landmark-ms')),
      align: Number(await stats.getAttribute('data-align-ms')),
      fps: Number(await stats.getAttribute('data-fps')),
    });
  }
  mkdirSync(resolve('docs/screenshots'), { recursive: true });
  await page.screenshot({ path: resolve('docs/screenshots/camera.png') });
  await browser.close();
  const result = {
    frame: '640x480, fake camera (LFW photos letterboxed), headless Debian Chromium, CPU only',
    samples: samples.length,
    median_detect_ms: median(samples.map((s) => s.detect)),
    median_landmark_ms: median(samples.map((s) => s.landmark)),
    median_align_ms: median(samples.map((s) => s.align)),
    median_fps: median(samples.map((s) => s.fps)),
    note: 'each sample is the camera screen rolling median over the last 30 frames; landmark = face mesh (192x192 rotated ROI warp + tfjs model on the page backend, wasm here; tracked from the previous mesh); align = five mesh points, similarity fit, 112x112 warp, quality gate',
  };
  console.log(JSON.stringify(result, null, 2));
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
} finally {
  if (server.pid) process.kill(-server.pid);
}
