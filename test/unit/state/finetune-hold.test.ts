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
  static started = 0;
  sent: WorkerRequest['type'][] = [];
  onmessage: unknown = null;
  onerror: unknown = null;
  constructor() {
    FakeWorker.last = this;
    FakeWorker.started += 1;
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
  samples: [
    {
      id: `${id}-1`,
      modelId: 'm',
      embedding: new Float32Array(4),
    } as PersonWithSamples['samples'][0],
  ],
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

describe('starting a fine-tune while one runs', () => {
  const job = (...ids: string[]) => ({
    key: {} as CryptoKey,
    modelId: 'm',
    baseUrl: '/',
    backend: 'wasm' as const,
    threshold: 0.4,
    people: ids.map(person),
  });

  it('for the same people: the run in progress goes on; for other people: it starts over', () => {
    const { finetune } = createOwners(new FakeAddress('#/people'));
    FakeWorker.started = 0;
    const first = finetune.run(job('a'));
    expect(finetune.run(job('a'))).toBe(first);
    expect(FakeWorker.started).toBe(1);
    void finetune.run(job('a', 'b'));
    expect(FakeWorker.started).toBe(2);
    return expect(first).resolves.toBe('cancelled');
  });
});
