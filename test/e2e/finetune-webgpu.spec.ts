import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from '@playwright/test';
import type { BackendName } from '../../src/lib/embedding/backend.ts';
import type { WorkerReply, WorkerRequest } from '../../src/lib/finetune/protocol.ts';
import { expect, test } from './fixtures.ts';

// SwiftShader compiles every WebGPU kernel on the CPU: about 30 s here, several times that on a
// busy machine.
test.setTimeout(240_000);

/** The built fine-tuning worker, as the app starts it (its name carries a content hash). */
function builtWorker(): string {
  const assets = resolve(import.meta.dirname, '../../dist/assets');
  const names = readdirSync(assets).filter((name) => /^finetune\.worker-[\w-]+\.js$/.test(name));
  expect(names, 'one fine-tuning worker in dist/assets').toHaveLength(1);
  return `/assets/${names[0]}`;
}

interface Step {
  backend: string;
  losses: number[];
  adapterB: number[];
  templates: number[][];
}

/**
 * One fine-tuning step in the app's worker on each backend in turn, through its 'train' request:
 * two people of three stored embeddings each and no crop, so no backbone pass, only the training
 * step (rank-4 adapter and free LMCL head) and the check after it.
 */
function trainOnEach(
  page: Page,
  worker: string,
  backends: BackendName[],
): Promise<Step[] | string> {
  return page.evaluate(
    async ({ worker, backends }) => {
      // A fixed pseudo-random sequence (Park-Miller), so both backends get the same people.
      let seed = 1;
      const next = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
      const unit = () => {
        const v = Float32Array.from({ length: 512 }, next);
        const norm = Math.hypot(...v);
        return v.map((x) => x / norm);
      };
      const people = ['a', 'b'].map((id) => ({
        id,
        samples: [0, 1, 2].map(() => ({ embedding: unit() })),
      }));
      const w = new Worker(worker, { type: 'module' });
      const steps: Step[] = [];
      try {
        for (const backend of backends) {
          const reply = await new Promise<WorkerReply>((settle) => {
            w.onmessage = (event: MessageEvent<WorkerReply>) => {
              if (event.data.type !== 'progress') settle(event.data);
            };
            w.onerror = (event) => settle({ type: 'error', message: event.message });
            w.postMessage({
              type: 'train',
              baseUrl: '/',
              backend,
              people,
              threshold: 0.4,
              config: { steps: 1, bankBatch: 8, bankClasses: 8, rank: 4, templates: 'head' },
            } satisfies WorkerRequest);
          });
          if (reply.type !== 'done') return `${backend}: ${JSON.stringify(reply)}`;
          steps.push({
            backend: reply.backend,
            losses: reply.losses,
            adapterB: Array.from(reply.adapter?.b ?? []),
            templates: reply.templates.map((t) => Array.from(t)),
          });
        }
        return steps;
      } finally {
        w.terminate();
      }
    },
    { worker, backends },
  );
}

const largestGap = (a: number[], b: number[]) =>
  a.reduce((gap, x, i) => Math.max(gap, Math.abs(x - (b[i] ?? Number.NaN))), 0);

/**
 * Missing or wrong gradient kernels differ by backend. WebGPU is behind a flag on Linux; with it
 * this machine gets a SwiftShader (CPU) adapter, so the webgpu kernels and their gradients run for
 * real. The step must give what the same step gives on wasm (checked on every backend by
 * finetune.spec.ts), and move the adapter.
 */
test('one fine-tuning step on WebGPU, in the real worker, matches the same step on wasm', async ({
  openApp,
}) => {
  const page = await openApp('none', '/#/help', ['--enable-unsafe-webgpu']);
  const adapter = await page.evaluate(async () => {
    // lib.dom has no WebGPU types.
    const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    return gpu ? (await gpu.requestAdapter()) !== null : false;
  });
  test.skip(!adapter, 'this browser offers no WebGPU adapter');

  const started = Date.now();
  const steps = await trainOnEach(page, builtWorker(), ['webgpu', 'wasm']);
  if (typeof steps === 'string') throw new Error(`the worker did not train: ${steps}`);
  const [gpu, wasm] = steps;
  if (!gpu || !wasm) throw new Error('a step is missing');
  console.log(
    `webgpu + wasm step: ${Date.now() - started} ms, losses ${gpu.losses.join(', ')} / ${wasm.losses.join(', ')}`,
  );

  expect(gpu.backend, 'trained on webgpu, not on a fallback').toBe('webgpu');
  expect(wasm.backend).toBe('wasm');
  expect(gpu.losses).toHaveLength(1);
  expect(gpu.losses[0]).toBeCloseTo(wasm.losses[0] ?? Number.NaN, 4);
  // The adapter's B starts at zero: one Adam step moves it by about the learning rate (2e-3).
  expect(Math.max(...wasm.adapterB.map(Math.abs))).toBeGreaterThan(1e-3);
  expect(gpu.adapterB).toHaveLength(wasm.adapterB.length);
  expect(largestGap(gpu.adapterB, wasm.adapterB), 'adapter after the step').toBeLessThan(1e-4);
  expect(gpu.templates).toHaveLength(2);
  gpu.templates.forEach((t, p) =>
    expect(largestGap(t, wasm.templates[p] ?? []), 'trained head').toBeLessThan(1e-4),
  );
});
