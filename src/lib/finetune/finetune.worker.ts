/**
 * The fine-tuning worker: loads the model and the background bank itself (verified against the
 * manifest), runs finetune() off the main thread so the camera keeps its frame rate, and reports
 * progress. While the page holds it (a face attempt or an enrollment is on) it waits between
 * steps (run-hold.ts). Cancelling is terminating the worker: it writes nothing, the app saves the
 * result.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { registerBrowserBackends, type BackendName } from '../embedding/backend';
import { switchBackend } from '../embedding/backend-loss';
import { Embedder } from '../embedding/embedder';
import { fetchListedFile, fetchManifest } from '../embedding/manifest';
import { fetchModelFile, ModelFileError } from '../embedding/model-fetch';
import { decodeBank, type BackgroundBank } from './bank';
import { finetune, type FinetunePerson } from './finetune';
import type { BackendStepResult, WorkerReply, WorkerRequest } from './protocol';
import { RunHold } from './run-hold';

interface Loaded {
  embedder: Embedder;
  bank: BackgroundBank;
}

let loading: Promise<Loaded> | null = null;
/** The page holds the run while a face attempt or an enrollment is on (RunHold). */
const hold = new RunHold();

const post = (reply: WorkerReply, transfer: Transferable[] = []) =>
  self.postMessage(reply, transfer);

function load(baseUrl: string): Promise<Loaded> {
  loading ??= (async () => {
    const base = new URL(baseUrl, location.href);
    const models = new URL('models/', base);
    const manifest = await fetchManifest(models);
    const info = manifest.background;
    if (!info)
      throw new ModelFileError(
        'This face model has no background bank, so it cannot be fine-tuned.',
      );
    await registerBrowserBackends(new URL('tfjs/', base).href);
    // Embedder.load checks the graph and weights against the manifest itself.
    const embedder = await Embedder.load(manifest, (path) =>
      fetchModelFile(new URL(path, models).href, null),
    );
    const bytes = await fetchListedFile(models, manifest, info.file);
    return { embedder, bank: decodeBank(info, bytes) };
  })();
  return loading;
}

/** The asked backend, else wasm, else cpu: a worker trains on whatever starts. */
function useBackend(name: BackendName): Promise<BackendName> {
  return switchBackend([name, 'wasm', 'cpu']);
}

/** Two bank strangers as stand-in people (one with a crop), for a one-step check of a backend. */
function probePeople(bank: BackgroundBank, size: number): FinetunePerson[] {
  const dim = bank.dim;
  const crop = { width: size, height: size, data: new Uint8ClampedArray(size * size * 4) };
  for (let i = 0; i < crop.data.length; i++) crop.data[i] = (i * 7) % 256;
  const first = bank.classes - bank.validationClasses;
  return [0, 1].map((p) => {
    const rows: Float32Array[] = [];
    bank.labels.forEach((l, i) => {
      if (l === first + p) rows.push(bank.samples.slice(i * dim, (i + 1) * dim));
    });
    return {
      id: `probe-${p}`,
      samples: rows.map((embedding, k) => (k === 0 ? { embedding, crop } : { embedding })),
    };
  });
}

async function handle(msg: Exclude<WorkerRequest, { type: 'hold' | 'resume' }>): Promise<void> {
  const { embedder, bank } = await load(msg.baseUrl);
  if (msg.type === 'train') {
    const backend = await useBackend(msg.backend);
    // Time held is not the run's: its estimate of what is left and its seconds leave it out.
    const clock = () => performance.now() - hold.heldMs();
    const started = clock();
    const result = await finetune({
      people: msg.people,
      bank,
      threshold: msg.threshold,
      embed: (crops) => embedder.embed(crops),
      ...(msg.config ? { config: msg.config } : {}),
      onProgress: (progress) => post({ type: 'progress', progress }),
      mayContinue: () => hold.mayContinue(),
      now: clock,
    });
    post(
      {
        type: 'done',
        adapter: result.adapter,
        templates: result.templates,
        guard: result.guard,
        norm: result.norm,
        losses: result.losses,
        backend,
        seconds: (clock() - started) / 1000,
      },
      result.adapter ? [result.adapter.a.buffer, result.adapter.b.buffer] : [],
    );
    return;
  }
  const results: BackendStepResult[] = [];
  const people = probePeople(bank, embedder.manifest.input.size);
  for (const backend of msg.backends) {
    try {
      if (!(await tf.setBackend(backend))) {
        results.push({ backend, ok: false, error: 'not available here' });
        continue;
      }
      await tf.ready();
      const t0 = performance.now();
      const r = await finetune({
        people,
        bank,
        threshold: 0.4,
        embed: (crops) => embedder.embed(crops),
        // rank 4 and a free head: every trainable part's gradient kernels run on this backend.
        config: { steps: 1, views: 1, bankBatch: 32, bankClasses: 32, rank: 4, templates: 'head' },
      });
      const loss = r.losses[0] ?? Number.NaN;
      results.push(
        Number.isFinite(loss)
          ? { backend, ok: true, loss, ms: performance.now() - t0 }
          : { backend, ok: false, error: `loss is ${loss}` },
      );
    } catch (error) {
      results.push({
        backend,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  post({ type: 'probe-done', results });
}

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const msg = event.data;
  if (msg.type === 'hold') return hold.hold();
  if (msg.type === 'resume') return hold.release();
  handle(msg).catch((error: unknown) => {
    post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  });
};
