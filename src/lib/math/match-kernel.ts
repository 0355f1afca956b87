/**
 * Storage and dot products for the packed 1:N matrix (template-matrix.ts): int8 rows, an int16
 * probe and one int32 sum per row, computed by a WebAssembly SIMD kernel (match-kernel.wat) where
 * the runtime has it, else by the same sums in plain JS. Both give exactly the same integers.
 */
import { MATCH_KERNEL_WASM } from './match-kernel-wasm';

export type KernelName = 'wasm-simd' | 'js';

/** The kernel reads 32 values per step: rows are padded to a multiple of this with zeros. */
export const ROW_ALIGN = 32;

/** Largest magnitude of a quantised row value and of a quantised probe value (exact int32 sums). */
export const ROW_MAX = 127;
export const PROBE_MAX = 16383;

export interface Int8Rows {
  readonly kernel: KernelName;
  readonly count: number;
  /** Values per row in `rows` and `probe`: the dimension padded to ROW_ALIGN. */
  readonly stride: number;
  /** count x stride, row-major; filled once by the caller. */
  readonly rows: Int8Array;
  /** Filled by the caller before each dots(); the padding stays 0. */
  readonly probe: Int16Array;
  /** After dots(): out[r] = sum_j rows[r * stride + j] * probe[j]. */
  readonly out: Int32Array;
  dots(): void;
}

export function paddedStride(dim: number): number {
  return Math.ceil(dim / ROW_ALIGN) * ROW_ALIGN;
}

interface KernelExports {
  memory: WebAssembly.Memory;
  dotsI8: (rows: number, count: number, stride: number, probe: number, out: number) => void;
}

let compiled: WebAssembly.Module | null | undefined;

/**
 * The kernel's module, compiled once; null where WebAssembly or its SIMD is missing, or a content
 * security policy without 'wasm-unsafe-eval' refuses it. Synchronous: the module is a few hundred
 * bytes, well under the size browsers allow to compile on the main thread.
 */
function kernelModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    compiled =
      typeof WebAssembly === 'object' && WebAssembly.validate(MATCH_KERNEL_WASM)
        ? new WebAssembly.Module(MATCH_KERNEL_WASM)
        : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

export function wasmKernelAvailable(): boolean {
  return kernelModule() !== null;
}

const align16 = (n: number) => Math.ceil(n / 16) * 16;

function wasmRows(module: WebAssembly.Module, count: number, stride: number): Int8Rows {
  const exports = new WebAssembly.Instance(module).exports as unknown as KernelExports;
  const probeAt = 0;
  const outAt = align16(stride * 2);
  const rowsAt = align16(outAt + count * 4);
  const bytes = rowsAt + count * stride;
  const { memory } = exports;
  const pages = Math.ceil(bytes / 65536) - memory.buffer.byteLength / 65536;
  if (pages > 0) memory.grow(pages);
  // Views taken after the one grow; the memory never grows again, so they stay attached.
  const buffer = memory.buffer;
  return {
    kernel: 'wasm-simd',
    count,
    stride,
    rows: new Int8Array(buffer, rowsAt, count * stride),
    probe: new Int16Array(buffer, probeAt, stride),
    out: new Int32Array(buffer, outAt, count),
    dots: () => exports.dotsI8(rowsAt, count, stride, probeAt, outAt),
  };
}

/**
 * out[r] = rows[r] . probe for `count` rows of `stride` values, four running sums at a time (V8
 * keeps them in registers): the kernel where WebAssembly SIMD is missing, and the bench's JS row.
 */
export function unrolledDots(
  rows: ArrayLike<number>,
  count: number,
  stride: number,
  probe: ArrayLike<number>,
  out: { [index: number]: number },
): void {
  for (let r = 0, o = 0; r < count; r++, o += stride) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let j = 0; j < stride; j += 4) {
      s0 += (rows[o + j] as number) * (probe[j] as number);
      s1 += (rows[o + j + 1] as number) * (probe[j + 1] as number);
      s2 += (rows[o + j + 2] as number) * (probe[j + 2] as number);
      s3 += (rows[o + j + 3] as number) * (probe[j + 3] as number);
    }
    out[r] = s0 + s1 + s2 + s3;
  }
}

function jsRows(count: number, stride: number): Int8Rows {
  const rows = new Int8Array(count * stride);
  const probe = new Int16Array(stride);
  const out = new Int32Array(count);
  return {
    kernel: 'js',
    count,
    stride,
    rows,
    probe,
    out,
    dots: () => unrolledDots(rows, count, stride, probe, out),
  };
}

/**
 * Zeroed storage for `count` rows of `dim` values with the kernel asked for; 'wasm-simd' (the
 * default) falls back to 'js' where the module cannot run.
 */
export function int8Rows(count: number, dim: number, kernel: KernelName = 'wasm-simd'): Int8Rows {
  if (!Number.isInteger(count) || count < 0) throw new Error(`bad row count ${count}`);
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`bad dimension ${dim}`);
  const stride = paddedStride(dim);
  const module = kernel === 'wasm-simd' ? kernelModule() : null;
  return module ? wasmRows(module, count, stride) : jsRows(count, stride);
}
