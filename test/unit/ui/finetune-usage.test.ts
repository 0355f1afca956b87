import { describe, expect, it } from 'vitest';
import { FINETUNE_USAGE_TEXT, finetuneUsage } from '../../../src/ui/finetune-usage';
import type { FinetuneRecord } from '../../../src/lib/store/schema';

function record(used: boolean, withNorm: boolean): FinetuneRecord {
  return {
    key: 'current',
    modelId: 'm',
    samplesKey: 'k',
    people: [{ id: 'a', name: 'A' }],
    used,
    adapter: null,
    templates: [],
    guard: {} as FinetuneRecord['guard'],
    norm: withNorm ? ({ stats: [] } as unknown as FinetuneRecord['norm']) : null,
    createdAt: 0,
    seconds: 1,
    backend: 'wasm',
  };
}

describe('finetuneUsage', () => {
  it('names each combination of the two separately checked parts', () => {
    expect(finetuneUsage(null)).toBe('none');
    expect(finetuneUsage(record(false, false))).toBe('none');
    expect(finetuneUsage(record(true, false))).toBe('templates');
    expect(finetuneUsage(record(false, true))).toBe('norm');
    expect(finetuneUsage(record(true, true))).toBe('templates-and-norm');
  });

  it('never says "shipped model" alone while a score normalisation is applied', () => {
    expect(FINETUNE_USAGE_TEXT.norm).toMatch(/normalised/);
    expect(FINETUNE_USAGE_TEXT.none).not.toMatch(/normalised/);
  });
});
