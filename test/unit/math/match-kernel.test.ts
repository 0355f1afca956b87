import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import wabtInit from 'wabt';
import { MATCH_KERNEL_WASM } from '../../../src/lib/math/match-kernel-wasm';
import {
  int8Rows,
  paddedStride,
  PROBE_MAX,
  ROW_MAX,
  wasmKernelAvailable,
  type KernelName,
} from '../../../src/lib/math/match-kernel';
import { seededRandom } from '../../../src/lib/math/seeded-random';

const WAT = fileURLToPath(new URL('../../../src/lib/math/match-kernel.wat', import.meta.url));
const BYTES = fileURLToPath(new URL('../../../src/lib/math/match-kernel-wasm.ts', import.meta.url));

/** The module's bytes as wabt compiles match-kernel.wat. */
async function compileWat(): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const parsed = wabt.parseWat('match-kernel.wat', readFileSync(WAT, 'utf8'), { simd: true });
  try {
    parsed.validate();
    return parsed.toBinary({}).buffer;
  } finally {
    parsed.destroy();
  }
}

function bytesModule(bytes: Uint8Array): string {
  return [
    '// Generated from match-kernel.wat by wabt (test/unit/math/match-kernel.test.ts checks it):',
    '// UPDATE_MATCH_KERNEL=1 npx vitest run test/unit/math/match-kernel.test.ts',
    // As Prettier lays it out, so a regenerated file stays formatted.
    'const BASE64 =',
    `  '${Buffer.from(bytes).toString('base64')}';`,
    '',
    'export const MATCH_KERNEL_WASM = Uint8Array.from(atob(BASE64), (c) => c.charCodeAt(0));',
    '',
  ].join('\n');
}

describe('match kernel bytes', () => {
  it('are the compiled match-kernel.wat', async () => {
    const bytes = await compileWat();
    if (process.env.UPDATE_MATCH_KERNEL === '1') writeFileSync(BYTES, bytesModule(bytes));
    expect(
      [...MATCH_KERNEL_WASM],
      'match-kernel-wasm.ts is stale: UPDATE_MATCH_KERNEL=1 npx vitest run test/unit/math/match-kernel.test.ts',
    ).toEqual([...bytes]);
  });

  it('run in Node (WebAssembly SIMD)', () => {
    expect(wasmKernelAvailable()).toBe(true);
  });
});

describe('int8Rows', () => {
  const random = seededRandom(7);
  const int = (max: number) => Math.round((random() * 2 - 1) * max);

  function filled(kernel: KernelName, count: number, dim: number) {
    const m = int8Rows(count, dim, kernel);
    for (let r = 0; r < count; r++)
      for (let j = 0; j < dim; j++) m.rows[r * m.stride + j] = int(ROW_MAX);
    for (let j = 0; j < dim; j++) m.probe[j] = int(PROBE_MAX);
    return m;
  }

  it('pads rows to the kernel step', () => {
    expect(paddedStride(512)).toBe(512);
    expect(paddedStride(100)).toBe(128);
    expect(paddedStride(1)).toBe(32);
  });

  it.each([
    [1, 512],
    [37, 512],
    [5, 100],
    [3, 1],
  ])('gives the exact integer sums with both kernels (%i rows of %i)', (count, dim) => {
    const wasm = filled('wasm-simd', count, dim);
    expect(wasm.kernel).toBe('wasm-simd');
    const js = int8Rows(count, dim, 'js');
    js.rows.set(wasm.rows);
    js.probe.set(wasm.probe);
    wasm.dots();
    js.dots();
    for (let r = 0; r < count; r++) {
      let s = 0;
      for (let j = 0; j < dim; j++)
        s += (wasm.rows[r * wasm.stride + j] as number) * (wasm.probe[j] as number);
      expect(wasm.out[r]).toBe(s);
      expect(js.out[r]).toBe(s);
    }
  });

  it('does not overflow at the largest magnitudes over 512 values', () => {
    const m = int8Rows(2, 512);
    m.rows.fill(-ROW_MAX);
    m.rows.fill(ROW_MAX, 0, 512);
    m.probe.fill(PROBE_MAX);
    m.dots();
    expect(m.out[0]).toBe(512 * ROW_MAX * PROBE_MAX);
    expect(m.out[1]).toBe(-512 * ROW_MAX * PROBE_MAX);
  });

  it('handles no rows', () => {
    const m = int8Rows(0, 512);
    m.dots();
    expect(m.out).toHaveLength(0);
  });
});
