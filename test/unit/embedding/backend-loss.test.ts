import { describe, expect, it } from 'vitest';
import { fallbackOrder } from '../../../src/lib/embedding/backend-loss';

describe('fallbackOrder', () => {
  it('offers only CPU-side backends, the fastest working one first', () => {
    expect(
      fallbackOrder([
        { backend: 'webgpu', ok: true, ms: 5 },
        { backend: 'webgl', ok: true, ms: 8 },
        { backend: 'wasm', ok: true, ms: 40 },
      ]),
    ).toEqual(['wasm', 'cpu']);
    expect(
      fallbackOrder([
        { backend: 'webgl', ok: true, ms: 8 },
        { backend: 'wasm', ok: false, error: 'no wasm' },
        { backend: 'cpu', ok: true, ms: 900 },
      ]),
    ).toEqual(['cpu', 'wasm']);
  });

  it('still names wasm and cpu when the probe never tried them (a forced backend)', () => {
    expect(fallbackOrder([{ backend: 'webgl', ok: true, ms: 8 }])).toEqual(['wasm', 'cpu']);
  });
});
