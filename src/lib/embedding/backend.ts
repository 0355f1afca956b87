import * as tf from '@tensorflow/tfjs-core';

export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface ProbeResult {
  backend: BackendName;
  ok: boolean;
  /** Median time of the probe after a warm-up run (shader compilation, wasm start). */
  ms?: number;
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
  // Threaded wasm starts its workers from blob: scripts, which the CSP (script-src 'self') refuses;
  // single-threaded SIMD wasm keeps the policy strict.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  wasm.setWasmPaths(wasmBase);
  // Start on a backend that initialises synchronously-safe everywhere, so loading the weights
  // does not wait on (or fail in) the highest-priority one; the probe picks the real one after.
  if (!(await tf.setBackend('wasm'))) await tf.setBackend('cpu');
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

/**
 * Picks the fastest working backend by running `probe` (one embedding) on each: the right order
 * differs by machine (here, on CPU only, wasm 32 ms beat webgl 384 ms and SwiftShader webgpu
 * 1,805 ms; on a real GPU webgpu wins), so it is measured, not assumed.
 */
export async function pickBackend(
  probe: () => Promise<unknown>,
  candidates: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'],
  runs = 3,
): Promise<{ chosen: BackendName; results: ProbeResult[] }> {
  return withBackendLock(() => probeAll(probe, candidates, runs));
}

async function probeAll(
  probe: () => Promise<unknown>,
  candidates: readonly BackendName[],
  runs: number,
): Promise<{ chosen: BackendName; results: ProbeResult[] }> {
  const results: ProbeResult[] = [];
  for (const backend of candidates) {
    // The cpu backend is only a last resort: probing it costs seconds when anything else works.
    if (backend === 'cpu' && results.some((r) => r.ok)) continue;
    try {
      if (!(await tf.setBackend(backend))) {
        results.push({ backend, ok: false, error: 'not available in this browser' });
        continue;
      }
      await tf.ready();
      await probe();
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        await probe();
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      results.push({ backend, ok: true, ms: times[Math.floor(times.length / 2)] ?? Infinity });
    } catch (error) {
      results.push({
        backend,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  const best = results
    .filter((r) => r.ok)
    .sort((a, b) => (a.ms ?? Infinity) - (b.ms ?? Infinity))[0];
  if (!best) throw new Error('No tfjs backend works in this browser.');
  await tf.setBackend(best.backend);
  return { chosen: best.backend, results };
}
