import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WorkerRequest } from '../../../src/lib/finetune/protocol';
import { createOwners } from '../../../src/lib/state/owners';
import { resetDbForTests } from '../../../src/lib/store/db';
import type { PersonWithSamples } from '../../../src/lib/store/schema';
import { FakeAddress } from './fake-address';

/** The fine-tuning worker as the controller sees it: what it was sent. */
class FakeWorker {
  static last: FakeWorker | null = null;
  sent: WorkerRequest['type'][] = [];
  onmessage: unknown = null;
  onerror: unknown = null;
  constructor() {
    FakeWorker.last = this;
  }
  postMessage(message: WorkerRequest) {
    this.sent.push(message.type);
  }
  terminate() {}
}

const original = globalThis.Worker;
beforeEach(async () => {
  await resetDbForTests();
  (globalThis as { Worker: unknown }).Worker = FakeWorker;
  FakeWorker.last = null;
});
afterEach(() => {
  (globalThis as { Worker: unknown }).Worker = original;
});

const person = (id: string): PersonWithSamples => ({
  person: { id, name: id, modelId: 'm' } as PersonWithSamples['person'],
  samples: [{ modelId: 'm', embedding: new Float32Array(4) } as PersonWithSamples['samples'][0]],
});

// The app's effects call reviewHolds() on each change; in Node they never run, so the tests do.
describe('a running fine-tune waits while a face is read for a decision', () => {
  it('is held for an unlock attempt and an enrollment capture, and resumed after each', () => {
    const { face, finetune } = createOwners(new FakeAddress('#/unlock'));
    const job = {
      key: {} as CryptoKey,
      modelId: 'm',
      baseUrl: '/',
      backend: 'wasm' as const,
      threshold: 0.4,
      people: [person('a')],
    };
    void finetune.run(job);
    const worker = FakeWorker.last;
    expect(worker?.sent).toEqual(['train']);
    expect(finetune.paused).toBe(false);

    face.mode = 'verify';
    face.verification.status = 'looking';
    finetune.reviewHolds();
    expect(worker?.sent).toEqual(['train', 'hold']);
    expect(finetune.paused).toBe(true);

    face.verification.status = 'accepted';
    finetune.reviewHolds();
    expect(worker?.sent).toEqual(['train', 'hold', 'resume']);
    expect(finetune.paused).toBe(false);

    face.mode = 'enroll';
    face.enrollment.status = 'capturing';
    finetune.reviewHolds();
    expect(worker?.sent.at(-1)).toBe('hold');
    face.mode = 'none';
    finetune.reviewHolds();
    expect(worker?.sent.at(-1)).toBe('resume');
  });

  it('a fine-tune started during an attempt is held from its start', () => {
    const { face, finetune } = createOwners(new FakeAddress('#/unlock'));
    face.mode = 'verify';
    face.verification.status = 'looking';
    finetune.reviewHolds();
    void finetune.run({
      key: {} as CryptoKey,
      modelId: 'm',
      baseUrl: '/',
      backend: 'wasm',
      threshold: 0.4,
      people: [person('a')],
    });
    expect(FakeWorker.last?.sent).toEqual(['train', 'hold']);
    expect(finetune.paused).toBe(true);
  });
});
