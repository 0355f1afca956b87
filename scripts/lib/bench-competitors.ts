/**
 * Runs the competitors' pages (bench-competitor-pages.ts) in the bench's browser, each backend in
 * a fresh context, and keeps the fastest backend's numbers.
 */
import type { Browser } from '@playwright/test';
import type { CompetitorPageResult } from './bench-competitor-pages.ts';
import { median, percentile, round1 } from './bench-stats.ts';

export interface CompetitorRun {
  backend_asked: string;
  backend?: string;
  error?: string;
  load_ms?: number | null;
  frames?: number;
  described_frames?: number;
  /** Cross-origin isolated, so tfjs-wasm could run threaded (as the app does). */
  isolated?: boolean;
  e2e_ms_median?: number | null;
  e2e_ms_p90?: number | null;
}

export interface CompetitorResult {
  /** The backend whose median was lowest among those that ran; null when none ran. */
  backend: string | null;
  e2e_ms_median: number | null;
  e2e_ms_p90: number | null;
  runs: CompetitorRun[];
}

async function runPage(
  browser: Browser,
  url: string,
  backend: string,
  timeoutMs: number,
): Promise<CompetitorRun> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${url}&backend=${backend}`);
    const handle = await page.waitForFunction(
      () => (window as unknown as { __bench?: unknown }).__bench,
      null,
      { timeout: timeoutMs, polling: 250 },
    );
    const result = (await handle.jsonValue()) as CompetitorPageResult;
    if (result.error !== undefined || !result.times_ms) {
      return { backend_asked: backend, error: result.error ?? 'no timings' };
    }
    return {
      backend_asked: backend,
      backend: result.backend,
      load_ms: round1(result.load_ms ?? null),
      frames: result.times_ms.length,
      described_frames: result.described ?? 0,
      isolated: result.isolated ?? false,
      e2e_ms_median: round1(median(result.times_ms)),
      e2e_ms_p90: round1(percentile(result.times_ms, 90)),
    };
  } catch (error) {
    return {
      backend_asked: backend,
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    await context.close();
  }
}

/**
 * `pageUrl` already carries `?frames=..&warmup=..`. A backend whose frames never produced a
 * descriptor is not a candidate: a pipeline that finds nothing is fast for the wrong reason.
 */
export async function benchCompetitor(
  browser: Browser,
  pageUrl: string,
  backends: readonly string[],
  timeoutMs: number,
): Promise<CompetitorResult> {
  const runs: CompetitorRun[] = [];
  for (const backend of backends) {
    const run = await runPage(browser, pageUrl, backend, timeoutMs);
    console.log(`  ${backend}: ${JSON.stringify(run)}`);
    runs.push(run);
  }
  const candidates = runs.filter((r) => r.e2e_ms_median != null && (r.described_frames ?? 0) > 0);
  const best = candidates.sort((a, b) => (a.e2e_ms_median ?? 0) - (b.e2e_ms_median ?? 0))[0];
  return {
    backend: best?.backend ?? null,
    e2e_ms_median: best?.e2e_ms_median ?? null,
    e2e_ms_p90: best?.e2e_ms_p90 ?? null,
    runs,
  };
}
