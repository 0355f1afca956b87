/**
 * The margin lab's worker: trains off the main thread so the figure stays smooth, on the backend
 * the page asks for (the one its probe chose), and answers each request with a snapshot.
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { registerBrowserBackends, type BackendName } from '../embedding/backend';
import { switchBackend } from '../embedding/backend-loss';
import { LabTrainer } from './lab-trainer';
import type { LabReply, LabRequest } from './lab-types';

let trainer: LabTrainer | null = null;
// One request at a time, in order: a step must not interleave with a reset.
let queue: Promise<void> = Promise.resolve();

const post = (reply: LabReply) => self.postMessage(reply);

async function useBackend(asked: BackendName | null): Promise<BackendName> {
  await registerBrowserBackends(
    new URL('tfjs/', new URL(import.meta.env.BASE_URL, location.href)).href,
  );
  return switchBackend(asked ? [asked, 'wasm', 'cpu'] : ['wasm', 'cpu']);
}

async function handle(request: LabRequest): Promise<void> {
  if (request.type === 'start') {
    const backend = await useBackend(request.backend);
    trainer?.dispose();
    trainer = new LabTrainer(request.data, request.settings);
    post({ type: 'ready', backend });
    post({ type: 'snapshot', snapshot: await trainer.snapshot() });
    return;
  }
  if (!trainer) throw new Error('The lab has not started.');
  if (request.type === 'settings') {
    trainer.setSettings(request.settings);
    post({ type: 'snapshot', snapshot: await trainer.snapshot() });
  } else if (request.type === 'reset') {
    trainer.reset();
    post({ type: 'snapshot', snapshot: await trainer.snapshot() });
  } else {
    post({ type: 'snapshot', snapshot: await trainer.step(request.steps) });
  }
}

self.onmessage = (event: MessageEvent<LabRequest>) => {
  queue = queue
    .then(() => handle(event.data))
    .catch((e: unknown) =>
      post({ type: 'error', message: e instanceof Error ? e.message : String(e) }),
    );
};
