/// <reference types="node" />
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { resolve } from 'node:path';
import { Embedder } from '../../src/lib/embedding/embedder';
import { ModelFileError } from '../../src/lib/embedding/manifest';
import { centreCrop, fetchModelFile, lfwFile, readModelManifest } from './lfw-fixture';

setWasmPaths(
  `${resolve(import.meta.dirname, '../../node_modules/@tensorflow/tfjs-backend-wasm/dist')}/`,
);

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * (b[i] ?? 0), 0);

async function embedOn(backend: 'cpu' | 'wasm', crops: ReturnType<typeof centreCrop>[]) {
  expect(await tf.setBackend(backend)).toBe(true);
  const embedder = await Embedder.load(readModelManifest(), fetchModelFile);
  try {
    return await embedder.embed(crops);
  } finally {
    embedder.dispose();
  }
}

describe('the shipped backbone', () => {
  const crops = [
    centreCrop(lfwFile('Colin_Powell', 1)),
    centreCrop(lfwFile('Colin_Powell', 2)),
    centreCrop(lfwFile('Serena_Williams', 1)),
  ];

  it('gives the same unit embedding on the cpu and wasm backends', async () => {
    const onCpu = await embedOn('cpu', crops);
    const onWasm = await embedOn('wasm', crops);
    const dim = readModelManifest().embedding.dim;
    for (let i = 0; i < crops.length; i++) {
      const a = onCpu[i] ?? new Float32Array();
      const b = onWasm[i] ?? new Float32Array();
      expect(a.length).toBe(dim);
      expect(Math.abs(dot(a, a) - 1)).toBeLessThan(1e-4);
      expect(dot(a, b)).toBeGreaterThan(0.9999);
    }
    // And it tells people apart: same person closer than different people.
    const [p1, p2, s1] = onWasm as [Float32Array, Float32Array, Float32Array];
    expect(dot(p1, p2)).toBeGreaterThan(dot(p1, s1));
  }, 120_000);

  it('leaks no tensors across 100 calls', async () => {
    await tf.setBackend('wasm');
    const embedder = await Embedder.load(readModelManifest(), fetchModelFile);
    const one = [crops[0] ?? centreCrop(lfwFile('Colin_Powell', 1))];
    await embedder.embed(one);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) await embedder.embed(one);
    expect(tf.memory().numTensors).toBe(before);
    embedder.dispose();
  }, 120_000);

  it('refuses a weights file whose checksum does not match', async () => {
    const manifest = readModelManifest();
    const tampered = async (path: string) => {
      const bytes = await fetchModelFile(path);
      const view = new Uint8Array(bytes);
      if (path === manifest.weights) view[100] = (view[100] ?? 0) ^ 0xff;
      return bytes;
    };
    await expect(Embedder.load(manifest, tampered)).rejects.toThrow(ModelFileError);
    await expect(Embedder.load(manifest, tampered)).rejects.toThrow(/damaged|altered/);
  });
});
