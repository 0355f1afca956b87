import { describe, expect, it } from 'vitest';
import {
  CHOICE_STORAGE_KEY,
  choiceKey,
  readRememberedChoice,
  rememberChoice,
  usableChoice,
  type ChoiceStorage,
} from '../../../src/lib/pipeline/backend-choice';
import { warmupBudgetMs, wasmThreads } from '../../../src/lib/embedding/backend';

const context = { userAgent: 'Chrome/150', cores: 2, gpu: 'SwiftShader', modelId: 'model-a' };

function memoryStorage(): ChoiceStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

describe('the remembered backend probe', () => {
  const key = choiceKey(context);
  const choice = {
    key,
    backend: 'wasm' as const,
    probes: [{ backend: 'wasm' as const, ok: true, ms: 30 }],
    at: 1,
  };

  it('is reused only for the same browser, device, core count and model', () => {
    expect(usableChoice(choice, key)).toEqual(choice);
    for (const change of [
      { userAgent: 'Chrome/151' },
      { cores: 4 },
      { gpu: 'NVIDIA H200' },
      { modelId: 'model-b' },
    ]) {
      expect(usableChoice(choice, choiceKey({ ...context, ...change }))).toBeNull();
    }
  });

  it('refuses anything that is not a well-formed choice', () => {
    expect(usableChoice(null, key)).toBeNull();
    expect(usableChoice({ ...choice, backend: 'quantum' }, key)).toBeNull();
    expect(usableChoice({ ...choice, probes: [{ backend: 'wasm' }] }, key)).toBeNull();
    expect(usableChoice({ ...choice, at: 'yesterday' }, key)).toBeNull();
  });

  it('round-trips through storage, and a damaged entry reads as none', () => {
    const storage = memoryStorage();
    rememberChoice(storage, choice);
    expect(usableChoice(readRememberedChoice(storage), key)).toEqual(choice);
    storage.data.set(CHOICE_STORAGE_KEY, '{not json');
    expect(readRememberedChoice(storage)).toBeNull();
    rememberChoice(storage, null);
    expect(storage.data.has(CHOICE_STORAGE_KEY)).toBe(false);
    expect(readRememberedChoice(null)).toBeNull();
  });

  it('a full storage only means probing again next time', () => {
    const full: ChoiceStorage = {
      getItem: () => null,
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
      removeItem: () => undefined,
    };
    expect(() => rememberChoice(full, choice)).not.toThrow();
  });
});

describe('the probe budget and the thread pool', () => {
  it('abandons a warm-up only against a measured best, never below the floor', () => {
    expect(warmupBudgetMs(null)).toBe(Number.POSITIVE_INFINITY);
    expect(warmupBudgetMs(30)).toBe(2000);
    expect(warmupBudgetMs(400)).toBe(8000);
  });

  it('leaves one core to the page', () => {
    expect(wasmThreads(1)).toBe(1);
    expect(wasmThreads(2)).toBe(1);
    expect(wasmThreads(4)).toBe(3);
    expect(wasmThreads(64)).toBe(8);
  });
});
