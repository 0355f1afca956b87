/**
 * The app's side of `npm run bench`: the built app driven through face attempts in the bench's
 * browser, read through its performance marks (the contract below), plus main-thread long tasks,
 * page memory and the cached and uncached cold starts.
 *
 * Contract (set by the app): `facegate:frame` for every analysed camera frame, detail
 * { detectMs, landmarkMs, alignMs, embedMs, matchMs, totalMs, workerMs } (embedMs 0: the backbone
 * did not run on it); `facegate:ready` when camera and model are both ready, detail
 * { backend, threads }; `facegate:decision` when an attempt ends, detail { status,
 * analysedFrames, embeddedFrames, analysedMs } (the attempt's own frame counters). An app without
 * them yields nulls and a note, never made-up numbers.
 */
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { armVault, coldUnlock, faceAttempt, importPeople } from './bench-app-ui.ts';
import {
  attemptRates,
  longTasksWithin,
  parseAttemptCount,
  parseFrameTiming,
  round1,
  summarizeFrames,
  type AttemptCount,
  type FrameMark,
  type FrameSummary,
  type LongTask,
} from './bench-stats.ts';

export interface AppBenchOptions {
  base: string;
  importFile: string;
  filePassphrase: string;
  people: number;
  /** The person chosen on Unlock (the one the camera shows). */
  target: string;
  frames: number;
  maxAttempts: number;
}

interface RawMark {
  startTime: number;
  detail: unknown;
}

interface Marks {
  frames: RawMark[];
  /** `facegate:embed`: a frame's embedding from the embedder worker, after the frame's mark. */
  embeds: RawMark[];
  ready: RawMark[];
  decisions: RawMark[];
}

/** Every long task of the page from its start, kept where bench code can read it. */
const LONG_TASK_RECORDER = `
window.__benchLongTasks = [];
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__benchLongTasks.push({ startTime: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
} catch (error) {
  window.__benchLongTasksError = String(error);
}
`;

async function newAppContext(
  browser: Browser,
  storageState?: Awaited<ReturnType<BrowserContext['storageState']>>,
) {
  const context = await browser.newContext({
    viewport: { width: 1100, height: 760 },
    storageState,
  });
  await context.addInitScript(LONG_TASK_RECORDER);
  return context;
}

async function readMarks(page: Page): Promise<Marks> {
  const [frames, ready, decisions, embeds] = await page.evaluate(() =>
    ['facegate:frame', 'facegate:ready', 'facegate:decision', 'facegate:embed'].map((name) =>
      performance
        .getEntriesByName(name, 'mark')
        .map((e) => ({ startTime: e.startTime, detail: (e as PerformanceMark).detail as unknown })),
    ),
  );
  return {
    frames: frames ?? [],
    embeds: embeds ?? [],
    ready: ready ?? [],
    decisions: decisions ?? [],
  };
}

async function readLongTasks(page: Page): Promise<LongTask[]> {
  return page.evaluate(
    () => (window as unknown as { __benchLongTasks?: LongTask[] }).__benchLongTasks ?? [],
  );
}

/** Frame marks inside [from, to] that keep the contract; how many broke it. */
function framesWithin(marks: RawMark[], from: number, to: number) {
  const out: FrameMark[] = [];
  let invalid = 0;
  for (const m of marks) {
    if (m.startTime < from || m.startTime > to) continue;
    const detail = parseFrameTiming(m.detail);
    if (detail) out.push({ startTime: m.startTime, detail });
    else invalid++;
  }
  return { frames: out, invalid };
}

const field = (mark: RawMark | undefined, key: string): unknown =>
  mark && typeof mark.detail === 'object' && mark.detail !== null
    ? (mark.detail as Record<string, unknown>)[key]
    : undefined;

async function pageMemory(context: BrowserContext, page: Page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? null;
  const heap = await page.evaluate(
    () =>
      (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ??
      null,
  );
  return {
    js_heap_used_bytes: metric('JSHeapUsedSize'),
    js_heap_total_bytes: metric('JSHeapTotalSize'),
    performance_memory_used_bytes: heap,
    note: 'V8 heap of the page (CDP Performance.getMetrics); wasm memory and GPU textures are not in it',
  };
}

/** One cold start: navigation, passphrase, Unlock, decision; timed on the new page's clock. */
async function coldStart(page: Page, target: string) {
  const end = await coldUnlock(page, target);
  const marks = await readMarks(page);
  const decision = marks.decisions.find((m) => m.startTime >= end.clickedAt);
  const tasks = longTasksWithin(await readLongTasks(page), end.clickedAt, end.endedAt);
  return {
    to_decision_ms: round1(decision?.startTime ?? null),
    to_ready_ms: round1(marks.ready[0]?.startTime ?? null),
    to_attempt_end_seen_ms: round1(end.endedAt),
    passphrase_shown_at_ms: round1(end.passphraseShownAt),
    armed_at_ms: round1(end.armedAt),
    unlock_pressed_at_ms: round1(end.clickedAt),
    status: (field(decision, 'status') as string | undefined) ?? end.status,
    longest_task_ms: round1(tasks.longest_ms),
  };
}

export async function benchApp(browser: Browser, options: AppBenchOptions) {
  const { base, target } = options;
  const context = await newAppContext(browser);
  const page = await context.newPage();
  const notes: string[] = [];
  try {
    await page.goto(`${base}/#/unlock`);
    await importPeople(page, base, options.importFile, options.filePassphrase, options.people);

    // One warm-up attempt (model and kernels warm, camera running), not counted; then warm
    // attempts, each after the passphrase (so failed ones never lock face unlock out), until
    // enough frames are marked; one attempt is enough to learn that the app marks none.
    await armVault(page, base);
    // Shown only while the vault is locked, so read here rather than after an accepted attempt.
    const backendShown = await page
      .getByTestId('engine-backend')
      .getAttribute('data-backend', { timeout: 60_000 })
      .catch(() => null);
    const warmupEnd = await faceAttempt(page, target);
    console.log(`  warm-up attempt: ${warmupEnd.status}`);
    const frames: FrameMark[] = [];
    /** The embeddings the embedder worker gave beside the frames (facegate:embed). */
    const embeds: FrameMark[] = [];
    const counts: AttemptCount[] = [];
    const attempts: {
      status: string;
      frames: number;
      /** The app's own counters for the attempt (null: it reports none). */
      counted: AttemptCount | null;
      duration_ms: number;
      long_tasks: number;
      longest_task_ms: number;
    }[] = [];
    let invalid = 0;
    const tasksSeen: { count: number; longest_ms: number }[] = [];
    while (frames.length < options.frames && attempts.length < options.maxAttempts) {
      await armVault(page, base);
      const end = await faceAttempt(page, target);
      const marks = await readMarks(page);
      const within = framesWithin(marks.frames, end.clickedAt, end.endedAt + 1);
      frames.push(...within.frames);
      invalid += within.invalid;
      const embedsWithin = framesWithin(marks.embeds, end.clickedAt, end.endedAt + 1);
      embeds.push(...embedsWithin.frames);
      invalid += embedsWithin.invalid;
      const decision = marks.decisions.find((m) => m.startTime >= end.clickedAt);
      const tasks = longTasksWithin(await readLongTasks(page), end.clickedAt, end.endedAt);
      tasksSeen.push(tasks);
      const counted = parseAttemptCount(decision?.detail);
      if (counted) counts.push(counted);
      attempts.push({
        status: (field(decision, 'status') as string | undefined) ?? end.status,
        frames: within.frames.length,
        counted,
        duration_ms: Math.round(end.endedAt - end.clickedAt),
        long_tasks: tasks.count,
        longest_task_ms: round1(tasks.longest_ms) ?? 0,
      });
      console.log(`  attempt ${attempts.length}: ${JSON.stringify(attempts[attempts.length - 1])}`);
      if (marks.frames.length === 0) {
        notes.push(
          'The app reported no facegate:frame marks (it predates the performance contract): per-frame app numbers are null.',
        );
        break;
      }
    }
    if (invalid > 0)
      notes.push(`${invalid} facegate:frame marks broke the contract and were left out.`);
    const summary: FrameSummary | null = summarizeFrames(frames, embeds);
    if (counts.length < attempts.length) {
      notes.push(
        `${attempts.length - counts.length} attempts had no frame counters in facegate:decision: attempt_fps and embedded_fraction are over the others.`,
      );
    }
    const rates = attemptRates(counts);
    const marks = await readMarks(page);
    const readyBackend = field(marks.ready[0], 'backend');
    const readyThreads = field(marks.ready[0], 'threads');
    if (marks.ready.length === 0) {
      notes.push(
        'The app reported no facegate:ready mark: backend is read from the page, threads is null.',
      );
    }
    if (marks.decisions.length === 0) {
      notes.push(
        'The app reported no facegate:decision mark: cold_start_ms is null; to_attempt_end_seen_ms is when the end showed on screen (polled every 10 ms).',
      );
    }
    const memory = await pageMemory(context, page);
    const longTasksLongest = Math.max(0, ...tasksSeen.map((t) => t.longest_ms));
    const longTasksCount = tasksSeen.reduce((a, t) => a + t.count, 0);

    // Cached cold start: the same profile (HTTP cache, service worker, IndexedDB), page reloaded.
    await page.reload();
    const cached = await coldStart(page, target);
    console.log(`  cold start, cached: ${JSON.stringify(cached)}`);

    // Uncached: a fresh context (empty HTTP cache, no service worker) given only the site's
    // storage (the people and the sealed vault in IndexedDB), so Unlock has someone to match.
    const state = await context.storageState({ indexedDB: true });
    const fresh = await newAppContext(browser, state);
    let uncached: Awaited<ReturnType<typeof coldStart>> | { error: string };
    try {
      const freshPage = await fresh.newPage();
      await freshPage.goto(`${base}/#/unlock`);
      uncached = await coldStart(freshPage, target);
    } catch (error) {
      uncached = {
        error: error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error),
      };
    } finally {
      await fresh.close();
    }
    console.log(`  cold start, uncached: ${JSON.stringify(uncached)}`);

    return {
      summary,
      rates,
      attempts,
      frames_marked: frames.length,
      backend: typeof readyBackend === 'string' ? readyBackend : backendShown,
      backend_source:
        typeof readyBackend === 'string' ? 'facegate:ready' : 'engine-backend element',
      threads: typeof readyThreads === 'number' ? readyThreads : null,
      main_thread_longest_task_ms: round1(longTasksLongest),
      main_thread_long_tasks: longTasksCount,
      memory,
      cold_cached: cached,
      cold_uncached: uncached,
      notes,
    };
  } finally {
    await context.close();
  }
}
