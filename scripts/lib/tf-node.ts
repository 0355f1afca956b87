/**
 * tfjs in Node for the scripts: the wasm backend (SIMD, ~10x the pure-JS cpu backend here) for
 * inference, cpu where a kernel or a gradient is missing on wasm.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { resolve } from 'node:path';

export async function initTf(backend: 'wasm' | 'cpu' = 'wasm'): Promise<typeof tf> {
  if (backend === 'wasm') {
    setWasmPaths(
      `${resolve(import.meta.dirname, '../../node_modules/@tensorflow/tfjs-backend-wasm/dist')}/`,
    );
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to start`);
  await tf.ready();
  return tf;
}
