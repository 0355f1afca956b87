/**
 * Verification decision latency and screenshots of every screen, in the built app in headless
 * Chromium with fake cameras made from LFW photos (people of folds 6-10).
 *
 *   npm run build && npm run bench:verify -- [--runs 10] [--out docs/bench-verify.json]
 *
 * Latency = from the first frame in which a face appears to the decision, timed by the app
 * (model warm; the decision needs 3 consecutive good frames above the threshold).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from './lib/chromium.ts';
import { intFlag, readFlags } from './lib/cli.ts';
import { median } from './lib/dataset.ts';
import { makeFakeCamera } from './make-fake-camera.ts';

const flags = readFlags(
  'npm run bench:verify -- [--runs 10] [--out docs/bench-verify.json] [--data LFW_DIR]',
  {
    runs: { type: 'string', default: '10' },
    out: { type: 'string', default: 'docs/bench-verify.json' },
    data: { type: 'string', default: '../shared/data/lfw' },
  },
);
const runs = intFlag(flags.runs, 'runs');
const out = flags.out;
const lfw = resolve(flags.data);
const photo = (p: string, n: number) => join(lfw, p, `${p}_${String(n).padStart(4, '0')}.jpg`);

const enrollCam = resolve('.cache/bench/enroll.y4m');
const verifyCam = resolve('.cache/bench/verify.y4m');
makeFakeCamera({
  entries: [1, 2, 5, 6, 7].map((n) => photo('George_W_Bush', n)),
  out: enrollCam,
  framesPerEntry: 15,
});
makeFakeCamera({
  entries: [8, 9, 10, 11].map((n) => photo('George_W_Bush', n)),
  out: verifyCam,
  framesPerEntry: 15,
});

const port = 4175;
const server = spawn('npx', ['vite', 'preview', '--port', String(port), '--strictPort'], {
  stdio: 'ignore',
  // Its own process group, so that stopping it also stops the vite process npx starts.
  detached: true,
});
const base = `http://localhost:${port}`;
const profile = mkdtempSync(join(tmpdir(), 'facegate-bench-'));
const shots = resolve('docs/screenshots');
mkdirSync(shots, { recursive: true });

async function withCamera<T>(camera: string, body: (page: Page) => Promise<T>): Promise<T> {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: [
      ...CHROMIUM_ARGS,
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${camera}`,
    ],
    viewport: { width: 1100, height: 760 },
  });
  try {
    return await body(context.pages()[0] ?? (await context.newPage()));
  } finally {
    await context.close();
  }
}

try {
  await new Promise((r) => setTimeout(r, 3000));
  await withCamera(enrollCam, async (page) => {
    await page.goto(base);
    await page.getByTestId('help').waitFor();
    await page.screenshot({ path: join(shots, 'help.png') });
    await page.goto(`${base}/#/enroll`);
    await page.getByTestId('enroll-prompt').waitFor({ timeout: 60_000 });
    await page.waitForFunction(
      () => Number(document.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow')) > 0,
      null,
      { timeout: 60_000, polling: 50 },
    );
    await page.screenshot({ path: join(shots, 'enroll.png') });
    await page.getByTestId('enroll-name').fill('Alice');
    await page.screenshot({ path: join(shots, 'enroll-name.png') });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('enroll-done').waitFor();
  });
  const latencies: number[] = [];
  const pressToDecision: number[] = [];
  await withCamera(verifyCam, async (page) => {
    await page.goto(`${base}/#/unlock`);
    await page.getByTestId('verify-target').selectOption({ label: 'Alice' });
    for (let i = 0; i < runs; i++) {
      const t0 = Date.now();
      await page.getByTestId('unlock-start').click();
      const vault = page.getByTestId('vault-open');
      await vault.waitFor({ timeout: 60_000 });
      pressToDecision.push(Date.now() - t0);
      latencies.push(Number(await vault.getAttribute('data-decision-ms')));
      if (i === 0) await page.screenshot({ path: join(shots, 'vault-open.png') });
      await page.getByTestId('lock').click();
    }
    await page.getByTestId('aligned-crop').and(page.locator('[data-has-crop=true]')).waitFor();
    await page.screenshot({ path: join(shots, 'unlock.png') });
    await page.goto(`${base}/#/people`);
    await page.getByTestId('person').first().waitFor();
    await page.screenshot({ path: join(shots, 'people.png') });
    await page.goto(`${base}/#/settings`);
    await page.getByTestId('security-level').waitFor();
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(shots, 'settings.png') });
  });
  const result = {
    what: 'latencies_ms: first frame of the attempt showing a face -> verify decision (1:1, accepted), timed by the app; press_to_decision_ms: button press -> vault open. The face is already in view when the attempt starts. Model warm; headless Chromium, fake 640x480 camera, 2-core CPU',
    runs: latencies.length,
    median_ms: median(latencies),
    min_ms: Math.min(...latencies),
    max_ms: Math.max(...latencies),
    latencies_ms: latencies.map(Math.round),
    press_to_decision_ms: pressToDecision,
  };
  console.log(JSON.stringify(result, null, 2));
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
} finally {
  if (server.pid) process.kill(-server.pid);
}
