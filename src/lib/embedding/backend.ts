import * as tf from '@tensorflow/tfjs-core';

import type { BackendName } from './backend-names';
import { DeadlineError, withDeadline } from '../deadline';

export { BACKENDS, type BackendName } from './backend-names';

export interface ProbeResult {
  backend: BackendName;
  ok: boolean;
  /** Median time of the probe after a warm-up run (shader compilation, wasm start). */
  ms?: number;
  /** The warm-up run's time. */
  warmupMs?: number;
  error?: string;
}

let registered: Promise<void> | null = null;

/**
 * Registers every backend the app can use; wasm binaries are served by the app itself. Once per
 * page or worker: the landmark model and the backbone share it, and a second call must not undo
 * the backend the probe chose.
 */
export function registerBrowserBackends(wasmBase: string): Promise<void> {
  registered ??= register(wasmBase);
  return registered;
}

async function register(wasmBase: string): Promise<void> {
  await import('@tensorflow/tfjs-backend-cpu');
  await import('@tensorflow/tfjs-backend-webgl');
  await import('@tensorflow/tfjs-backend-webgpu');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // Threads: the build serves tfjs's pthread scripts as files of the app (tfjs-wasm-threads-plugin),
  // so the CSP keeps script-src 'self'. The dev server pre-bundles tfjs unpatched (blob: scripts,
  // refused), so development runs single-threaded.
  // (Node scripts have no import.meta.env: they run single-threaded tfjs anyway.)
  // One thread wanted: the plain SIMD build, without the threaded build's 8 idle pthread workers.
  const dev = (import.meta as { env?: { DEV?: boolean } }).env?.DEV ?? true;
  if (dev || wasmThreads() < 2) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  wasm.setThreadsCount(wasmThreads());
  wasm.setWasmPaths(wasmBase);
  // Start on a backend that initialises synchronously-safe everywhere, so loading the weights
  // does not wait on (or fail in) the highest-priority one; the probe picks the real one after.
  if (!(await withAllCores(() => tf.setBackend('wasm')))) await tf.setBackend('cpu');
}

/**
 * XNNPACK's pool: all cores but one, which the page, the camera and the detector keep busy while
 * a frame is analysed. On this project's 2-core machine two threads sped the embedding up (11.6
 * against 15.2 ms) but slowed the detector and the landmarks as much, for no gain end to end
 * (docs/BENCHMARKS.md), so 2 cores get one thread.
 */
export function wasmThreads(cores = globalThis.navigator?.hardwareConcurrency ?? 1): number {
  return Math.max(1, Math.min(cores - 1, 8));
}

/**
 * tfjs-wasm caps its pool at half of navigator.hardwareConcurrency (it assumes two hyperthreads
 * per core), which on a 2-core machine means no threads at all. While its module starts (when it
 * reads the count), the count it sees is doubled so the pool gets wasmThreads() threads.
 */
async function withAllCores<T>(start: () => Promise<T>): Promise<T> {
  const nav = globalThis.navigator as { hardwareConcurrency?: number } | undefined;
  if (!nav?.hardwareConcurrency) return start();
  const real = nav.hardwareConcurrency;
  Object.defineProperty(nav, 'hardwareConcurrency', { value: real * 2, configurable: true });
  try {
    return await start();
  } finally {
    delete nav.hardwareConcurrency;
  }
}

/** Threads the wasm backend actually runs with (1 where the browser gives it no threads). */
export async function activeWasmThreads(): Promise<number> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  return tf.getBackend() === 'wasm' ? Math.max(1, wasm.getThreadsCount()) : 1;
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `work` alone with respect to tfjs's global backend: the probe switches backends, and a
 * model loaded meanwhile failed ("Backend 'webgpu' has not yet been initialized"). Loads and the
 * probe go through here one after another.
 */
export function withBackendLock<T>(work: () => Promise<T>): Promise<T> {
  const run = queue.then(work, work);
  queue = run.catch(() => undefined);
  return run;
}

/** Resolves once no probe or model load holds the backend (inference waits for it). */
export async function backendSettled(): Promise<void> {
  let seen: Promise<unknown>;
  do {
    seen = queue;
    await seen;
  } while (seen !== queue);
}

/** Probe order: the CPU backends first, so a GPU backend is measured against a known time. */
export const PROBE_ORDER: readonly BackendName[] = ['wasm', 'webgpu', 'webgl', 'cpu'];

/**
 * A backend whose warm-up (shader compilation, weight upload, first run) alone takes longer than
 * this many times the best probe so far cannot win, so it is abandoned rather than waited for
 * (SwiftShader's WebGPU took seconds for its first run here). Never below WARMUP_FLOOR_MS: a real
 * GPU compiling its shaders for the first time deserves that long.
 */
const WARMUP_RATIO = 20;
const WARMUP_FLOOR_MS = 2000;

export function warmupBudgetMs(bestMs: number | null): number {
  return bestMs === null
    ? Number.POSITIVE_INFINITY
    : Math.max(WARMUP_FLOOR_MS, WARMUP_RATIO * bestMs);
}

/**
 * Picks the fastest working backend by running `probe` (one embedding) on each: the right order
 * differs by machine (here, on CPU only, wasm 32 ms beat webgl 384 ms and SwiftShader webgpu
 * 1,805 ms; on a real GPU webgpu wins), so it is measured, not assumed. The result is remembered
 * per device, browser and model by the caller (backend-choice.ts), so this runs once, not on
 * every start.
 */
export async function pickBackend(
  probe: () => Promise<unknown>,
  candidates: readonly BackendName[] = PROBE_ORDER,
  runs = 3,
  onProbed: (done: number, total: number) => void = () => undefined,
): Promise<{ chosen: BackendName; results: ProbeResult[] }> {
  return withBackendLock(() => probeAll(probe, candidates, runs, onProbed));
}

async function probeAll(
  probe: () => Promise<unknown>,
  candidates: readonly BackendName[],
  runs: number,
  onProbed: (done: number, total: number) => void,
): Promise<{ chosen: BackendName; results: ProbeResult[] }> {
  const results: ProbeResult[] = [];
  const best = () => {
    const ok = results.filter((r) => r.ok).map((r) => r.ms ?? Infinity);
    return ok.length ? Math.min(...ok) : null;
  };
  for (const backend of candidates) {
    onProbed(results.length, candidates.length);
    // The cpu backend is only a last resort: probing it costs seconds when anything else works.
    if (backend === 'cpu' && results.some((r) => r.ok)) continue;
    try {
      if (!(await tf.setBackend(backend))) {
        results.push({ backend, ok: false, error: 'not available in this browser' });
        continue;
      }
      await tf.ready();
      const budget = warmupBudgetMs(best());
      const t0 = performance.now();
      await withDeadline(probe(), budget);
      const warmupMs = performance.now() - t0;
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t1 = performance.now();
        await probe();
        times.push(performance.now() - t1);
        // One run slower than the best so far is enough to know it loses.
        const sofar = best();
        if (sofar !== null && (times[i] as number) > 2 * sofar) break;
      }
      times.sort((a, b) => a - b);
      results.push({
        backend,
        ok: true,
        ms: times[Math.floor(times.length / 2)] ?? Infinity,
        warmupMs,
      });
    } catch (error) {
      results.push({
        backend,
        ok: false,
        error:
          error instanceof DeadlineError
            ? `abandoned: its warm-up took longer than ${Math.round(warmupBudgetMs(best()))} ms`
            : error instanceof Error
              ? error.message
              : String(error),
      });
    }
  }
  onProbed(candidates.length, candidates.length);
  const chosen = results
    .filter((r) => r.ok)
    .sort((a, b) => (a.ms ?? Infinity) - (b.ms ?? Infinity))[0];
  if (!chosen) throw new Error('No tfjs backend works in this browser.');
  await tf.setBackend(chosen.backend);
  return { chosen: chosen.backend, results };
}

/** Sets a remembered backend; false when it no longer starts (then probe again). */
export async function useBackend(backend: BackendName): Promise<boolean> {
  return withBackendLock(async () => {
    try {
      if (!(await tf.setBackend(backend))) return false;
      await tf.ready();
      return true;
    } catch {
      return false;
    }
  });
}
