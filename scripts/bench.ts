/**
 * The whole benchmark in one run: the built app and two other in-browser face pipelines
 * (@vladmandic/face-api, @vladmandic/human) on the same fake camera in the same headless Debian
 * Chromium, plus bundle and model sizes and one fine-tuning run.
 *
 *   npm run build && npm run bench -- [--json out.json] [--frames 60] [--warmup 10]
 *     [--backends wasm,webgl] [--competitor-seconds 60] [--skip-competitors] [--skip-app] [--skip-finetune]
 *     [--max-attempts 4] [--data ../shared/data/lfw] [--finetune-crops dir] [--port N]
 *
 * Prints the JSON (keys at the top, the details under `details`); --json also writes it. The app is
 * served by `vite preview` on --port or a free one; face-api and Human by a small static server
 * from node_modules; each tries --backends and keeps the fastest that described faces.
 *
 * It builds nothing: dist/ must exist (npm run build). The camera is a real video of one person
 * (d9, seconds 12-18 at 30 FPS, 640x480, looped: a camera's rate, so the liveness check sees every frame),
 * whom the app knows from an encrypted import of real embeddings (the e2e's import file, made by
 * test/e2e/real-imports.ts). The status of each attempt is recorded, but this measures time, not
 * accuracy or liveness.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { benchApp } from './lib/bench-app.ts';
import { COMPETITOR_FOLDERS, FACE_API_PAGE, HUMAN_PAGE } from './lib/bench-competitor-pages.ts';
import { benchCompetitor, type CompetitorResult } from './lib/bench-competitors.ts';
import { ensureFinetuneCrops, runFinetune, type FinetuneRun } from './lib/bench-finetune-run.ts';
import { machineInfo } from './lib/bench-machine.ts';
import { bundleBytes, modelBytes } from './lib/bench-sizes.ts';
import { round1 } from './lib/bench-stats.ts';
import { freePort, startStaticServer } from './lib/bench-static-server.ts';
import { CHROMIUM, CHROMIUM_ARGS } from './lib/chromium.ts';
import { fakeCamera } from '../test/e2e/paths.ts';
import { measureMatchWith } from './lib/bench-match.ts';
import { frames as videoFrames, videoCamera } from '../test/e2e/video-cameras.ts';
import { FILE_PASSPHRASE, importFile } from '../test/e2e/paths.ts';
import { IMPORTS, makeImports } from '../test/e2e/real-imports.ts';

const round2 = (value: number | null) => (value === null ? null : Math.round(value * 100) / 100);

const { values } = parseArgs({
  strict: true,
  options: {
    json: { type: 'string' },
    frames: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '10' },
    backends: { type: 'string', default: 'wasm,webgl' },
    'competitor-seconds': { type: 'string', default: '60' },
    'skip-competitors': { type: 'boolean', default: false },
    'skip-app': { type: 'boolean', default: false },
    'skip-finetune': { type: 'boolean', default: false },
    'max-attempts': { type: 'string', default: '4' },
    data: { type: 'string', default: process.env.FACEGATE_LFW ?? '../shared/data/lfw' },
    'finetune-crops': { type: 'string' },
    port: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(
    'usage: npm run bench -- [--json out.json] [--frames 60] [--warmup 10] [--backends wasm,webgl] [--competitor-seconds 60] [--skip-competitors] [--skip-app] [--skip-finetune] [--max-attempts 4] [--data lfw] [--finetune-crops dir] [--port N]',
  );
  process.exit(0);
}

const positive = (name: string, text: string) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number >= 1`);
  return n;
};
const frames = positive('frames', values.frames);
const warmup = positive('warmup', values.warmup);
const maxAttempts = positive('max-attempts', values['max-attempts']);
const competitorSeconds = positive('competitor-seconds', values['competitor-seconds']);
const backends = values.backends.split(',').filter(Boolean);

if (!existsSync('dist/index.html')) {
  console.error('dist/ is missing: run npm run build first (the bench measures the built app).');
  process.exit(1);
}

// The person on camera: Bob, a real video (../shared/data/videos, d9) of a live face, whose
// template in the import was made from other frames of it. A still photo never shows life, so
// an attempt on one would end as "not live" and time no decision.
const IMPORT_NAME = 'nine';
const TARGET = 'Bob';
const lfw = resolve(values.data);
// At a camera's rate (30 FPS): the app analyses every frame it can and embeds only the frames a
// decision needs (src/lib/decisions/embed-policy.ts); attempt_fps is what it kept up with.
const CAMERA_FPS = 30;
// Seconds 12-18 of d9: quick blinks two or three times a loop (his first 6 s show none).
const camera = fakeCamera('bench-d9-12-18s-30fps');
if (!existsSync(camera)) {
  videoCamera(
    'bench-d9-12-18s-30fps',
    'd9',
    videoFrames(12 * CAMERA_FPS, 18 * CAMERA_FPS - 1),
    CAMERA_FPS,
  );
}

/** Waits until the preview server answers (it takes a few seconds to start). */
async function waitForServer(url: string, server: ChildProcess, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    // Exited (the port taken, dist/ unreadable): whatever answers there is not this build.
    if (server.exitCode !== null) throw new Error(`vite preview exited with ${server.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer in ${timeoutMs / 1000} s`);
}

async function main() {
  const sizes = { bundle: bundleBytes('dist'), models: modelBytes('.') };

  if (!values['skip-app']) {
    console.log('making the import file (real embeddings, as the e2e global setup does)…');
    await makeImports();
  }

  const port = values.port ? positive('port', values.port) : await freePort();
  const preview = values['skip-app']
    ? null
    : spawn('npx', ['vite', 'preview', '--port', String(port), '--strictPort'], {
        stdio: 'ignore',
        // Its own process group, so that stopping it also stops the vite process npx starts.
        detached: true,
      });
  const statics = await startStaticServer(
    { '/faceapi.html': FACE_API_PAGE, '/human.html': HUMAN_PAGE },
    COMPETITOR_FOLDERS,
  );
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      ...CHROMIUM_ARGS,
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${camera}`,
    ],
  });
  let app: Awaited<ReturnType<typeof benchApp>> | null = null;
  let faceapi: CompetitorResult | null = null;
  let human: CompetitorResult | null = null;
  const chromiumVersion = browser.version();
  try {
    if (preview) {
      const base = `http://localhost:${port}`;
      await waitForServer(base, preview, 30_000);
      console.log('app:');
      app = await benchApp(browser, {
        base,
        importFile: importFile(IMPORT_NAME),
        filePassphrase: FILE_PASSPHRASE,
        people: IMPORTS[IMPORT_NAME]?.length ?? 0,
        target: TARGET,
        frames,
        maxAttempts,
      });
    }
    if (!values['skip-competitors']) {
      const query = `?frames=${frames}&warmup=${warmup}&seconds=${competitorSeconds}`;
      // The page stops its loop after competitorSeconds; this also covers loading and one slow frame.
      const timeoutMs = (competitorSeconds + 120) * 1000;
      const run = (name: string, page: string) => {
        console.log(`${name}:`);
        return benchCompetitor(browser, `${statics.url}/${page}${query}`, backends, timeoutMs);
      };
      faceapi = await run('face-api', 'faceapi.html');
      human = await run('Human', 'human.html');
    }
  } finally {
    await browser.close();
    await statics.close();
    if (preview?.pid) process.kill(-preview.pid);
  }

  // After the browser is gone, so the two do not share the CPU. The full LFW crops when made
  // (npm run prepare-dataset), else crops of the one person it needs, made once.
  let finetune: FinetuneRun | null = null;
  if (!values['skip-finetune']) {
    try {
      const crops =
        values['finetune-crops'] ??
        (existsSync('.cache/lfw-crops/index.json')
          ? '.cache/lfw-crops'
          : await ensureFinetuneCrops(lfw, '.cache/bench/finetune-crops'));
      finetune = runFinetune(crops, join(lfw, 'pairs.txt'));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      finetune = { seconds: null, backend: 'wasm', error: message };
    }
  }

  const s = app?.summary ?? null;
  console.log('1:N matching over 1k / 10k / 100k templates…');
  const match = await measureMatchWith([1000, 10000, 100000], { runs: 15 }).catch(
    (error: unknown) => {
      console.error(`1:N matching not measured: ${String(error)}`);
      return null;
    },
  );
  const result = {
    e2e_ms_median: round1(s?.e2e_ms_median ?? null),
    e2e_ms_p90: round1(s?.e2e_ms_p90 ?? null),
    embed_ms_median: round1(s?.embed_ms_median ?? null),
    detect_ms_median: round1(s?.detect_ms_median ?? null),
    landmark_ms_median: round1(s?.landmark_ms_median ?? null),
    align_ms_median: round1(s?.align_ms_median ?? null),
    match_ms_median: round1(s?.match_ms_median ?? null),
    fps: round1(s?.fps ?? null),
    app_frames: s?.frames ?? 0,
    // At the camera's rate: every frame analysed, the backbone only where a decision needs it.
    tracked_frame_ms: {
      median: round1(s?.tracked_frame_ms_median ?? null),
      p90: round1(s?.tracked_frame_ms_p90 ?? null),
    },
    embed_frame_ms: {
      median: round1(s?.embed_frame_ms_median ?? null),
      p90: round1(s?.embed_frame_ms_p90 ?? null),
    },
    grab_ms_median: round1(s?.grab_ms_median ?? null),
    attempt_fps: round1(app?.rates.attempt_fps ?? null),
    embedded_fraction: round2(app?.rates.embedded_fraction ?? null),
    faceapi_e2e_ms_median: faceapi?.e2e_ms_median ?? null,
    faceapi_e2e_ms_p90: faceapi?.e2e_ms_p90 ?? null,
    faceapi_backend: faceapi?.backend ?? null,
    human_e2e_ms_median: human?.e2e_ms_median ?? null,
    human_e2e_ms_p90: human?.e2e_ms_p90 ?? null,
    human_backend: human?.backend ?? null,
    main_thread_longest_task_ms: app?.main_thread_longest_task_ms ?? null,
    main_thread_long_tasks: app?.main_thread_long_tasks ?? null,
    cold_start_ms: app?.cold_cached.to_decision_ms ?? null,
    cold_start_ready_ms: app?.cold_cached.to_ready_ms ?? null,
    cold_start_uncached_ms:
      app && 'to_decision_ms' in app.cold_uncached ? app.cold_uncached.to_decision_ms : null,
    cold_start_uncached_ready_ms:
      app && 'to_ready_ms' in app.cold_uncached ? app.cold_uncached.to_ready_ms : null,
    // The shipped 1:N path (int8 rows, WebAssembly SIMD, exact rescoring), in this Node process.
    match_100k_ms: round1(match?.['wasm-i8-simd@100000'] ?? null),
    finetune_s: finetune?.seconds ?? null,
    bundle_gzip_bytes: sizes.bundle.gzip,
    model_bytes: sizes.models.total,
    page_js_heap_bytes: app?.memory.js_heap_used_bytes ?? null,
    backend: app?.backend ?? null,
    threads: app?.threads ?? null,
    machine: machineInfo(chromiumVersion),
    details: {
      match_ms: match,
      date: new Date().toISOString(),
      command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
      camera: {
        file: camera,
        video: `d9 (../shared/data/videos), seconds 12-18 (${6 * CAMERA_FPS} frames)`,
        frame: `640x480, ${CAMERA_FPS} FPS, looped`,
      },
      what: {
        e2e_ms:
          'app: facegate:frame totalMs over the analysed frames of warm unlock attempts (most without the backbone); competitors: one whole per-frame pipeline call on a fresh video frame, after the warm-up',
        tracked_frame_ms:
          'app: worker time (facegate:frame workerMs) of the frames of warm unlock attempts analysed without the backbone (detection or tracking, mesh, alignment, quality)',
        embed_frame_ms:
          'app: worker time of the frames that also ran the backbone (crop and mirror); embed_ms_median is the backbone alone',
        grab_ms_median:
          'app: the frame copied out of the video on the page (createImageBitmap), part of e2e_ms and not of the worker time',
        attempt_fps:
          "app: analysed frames per second during warm unlock attempts, from the app's own counters (facegate:decision analysedFrames over analysedMs, first to last frame of each attempt)",
        embedded_fraction:
          'app: embeddedFrames / analysedFrames over the same attempts (decisions/embed-policy.ts)',
        fps: 'app: facegate:frame marks of all warm attempts over the span from the first to the last (includes the time between attempts)',
        cold_start_ms:
          'navigation start -> facegate:decision: page reloaded with everything cached (HTTP cache, service worker, IndexedDB), passphrase typed as soon as shown, vault locked, Unlock pressed',
        cold_start_uncached_ms:
          'the same in a fresh browser context (empty HTTP cache, no service worker) holding only the site storage',
        main_thread_longest_task_ms:
          'longest main-thread long task (PerformanceObserver longtask) during the warm unlock attempts',
      },
      app,
      faceapi,
      human,
      sizes,
      finetune,
      competitor_frames: {
        frames,
        warmup,
        seconds_cap: competitorSeconds,
        backends_tried: backends,
      },
    },
  };
  console.log(JSON.stringify(result, null, 2));
  if (values.json) {
    mkdirSync(dirname(resolve(values.json)), { recursive: true });
    writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`wrote ${values.json}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
