/**
 * Activations of the frozen trunk (the graph up to a cut tensor) for aligned crops, computed once
 * with the wasm backend and kept on disk, so training the tail and every experiment reuse them.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Embedder } from '../../src/lib/embedding/embedder.ts';
import { runGraph, type GraphSpec } from '../../src/lib/embedding/graph.ts';
import { inputTensor } from '../../src/lib/embedding/preprocess.ts';
import type { CropRecord } from '../prepare-dataset.ts';
import { loadCrop } from './embed-crops.ts';
import { ProgressBar } from './progress.ts';

export interface ActivationSet {
  files: string[];
  index: Map<string, number>;
  /** [files.length, size] row-major, for the crop and for its mirror image. */
  orig: Float32Array;
  flip: Float32Array;
  shape: number[];
  size: number;
}

/** The activations a cache folder holds, or null when it has none. */
function readSaved(dir: string): ActivationSet | null {
  const meta = join(dir, 'index.json');
  if (!existsSync(meta)) return null;
  const m = JSON.parse(readFileSync(meta, 'utf8')) as { files: string[]; shape: number[] };
  const read = (name: string) => {
    const b = readFileSync(join(dir, name));
    return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  };
  return {
    files: m.files,
    index: new Map(m.files.map((f, i) => [f, i])),
    orig: read('orig.f32'),
    flip: read('flip.f32'),
    shape: m.shape,
    size: m.shape.reduce((a, b) => a * b, 1),
  };
}

export async function trunkActivations(
  embedder: Embedder,
  cut: string,
  cropRoot: string,
  records: readonly CropRecord[],
  cacheDir: string,
): Promise<ActivationSet> {
  // Keyed by the crop folder too: crops made by another front end must never be reused.
  const crops = createHash('sha256').update(resolve(cropRoot)).digest('hex').slice(0, 8);
  const dir = resolve(cacheDir, `${embedder.manifest.id}-${cut}-${crops}`);
  const wanted = records.filter((r) => r.crop).map((r) => r.file);
  const known = readSaved(dir);
  // Only the crops not yet in the cache are run through the trunk; the rest are reused.
  const files = known ? wanted.filter((f) => !known.index.has(f)) : wanted;
  if (known && files.length === 0) return known;
  const byFile = new Map(records.map((r) => [r.file, r]));
  let shape: number[] = [];
  let size = 0;
  let orig = new Float32Array(0);
  let flip = new Float32Array(0);
  const batch = 16;
  const bar = new ProgressBar(files.length, `trunk activations (${cut})`);
  for (let i = 0; i < files.length; i += batch) {
    const chunk = files.slice(i, i + batch);
    const crops = chunk.map((f) => {
      const r = byFile.get(f);
      if (!r) throw new Error(`no record for ${f}`);
      return loadCrop(cropRoot, r);
    });
    const [a, b] = tf.tidy(() => {
      const x = inputTensor(crops, embedder.manifest.input);
      return [
        runGraph(embedder.spec, embedder.params, x, { to: cut }),
        runGraph(embedder.spec, embedder.params, tf.reverse(x, 2), { to: cut }),
      ];
    });
    if (!a || !b) throw new Error('trunk produced nothing');
    if (size === 0) {
      shape = a.shape.slice(1);
      size = shape.reduce((p, q) => p * q, 1);
      orig = new Float32Array(files.length * size);
      flip = new Float32Array(files.length * size);
    }
    orig.set(await a.data(), i * size);
    flip.set(await b.data(), i * size);
    a.dispose();
    b.dispose();
    bar.update(Math.min(i + batch, files.length));
  }
  const computed: ActivationSet = {
    files,
    index: new Map(files.map((f, i) => [f, i])),
    orig,
    flip,
    shape,
    size,
  };
  const all = known ? concatActivations(known, computed) : computed;
  // A new folder renamed into place: a run reading the cache never sees half-old, half-new files.
  const fresh = `${dir}.tmp-${process.pid}`;
  mkdirSync(fresh, { recursive: true });
  writeFileSync(
    join(fresh, 'orig.f32'),
    new Uint8Array(all.orig.buffer, all.orig.byteOffset, all.orig.byteLength),
  );
  writeFileSync(
    join(fresh, 'flip.f32'),
    new Uint8Array(all.flip.buffer, all.flip.byteOffset, all.flip.byteLength),
  );
  writeFileSync(join(fresh, 'index.json'), JSON.stringify({ files: all.files, shape: all.shape }));
  rmSync(dir, { recursive: true, force: true });
  renameSync(fresh, dir);
  return all;
}

/** Runs cached activations further down the graph (from one cut to a later one). */
export async function advanceActivations(
  acts: ActivationSet,
  spec: GraphSpec,
  params: ReadonlyMap<string, tf.Tensor>,
  from: string,
  to: string,
): Promise<ActivationSet> {
  const n = acts.files.length;
  const batch = 256;
  let shape: number[] = [];
  let size = 0;
  let orig = new Float32Array(0);
  let flip = new Float32Array(0);
  for (let i = 0; i < n; i += batch) {
    const rows = Math.min(batch, n - i);
    for (const [src, which] of [
      [acts.orig, 'orig'],
      [acts.flip, 'flip'],
    ] as const) {
      const y = tf.tidy(() =>
        runGraph(
          spec,
          params,
          tf.tensor(src.subarray(i * acts.size, (i + rows) * acts.size), [rows, ...acts.shape]),
          { from, to },
        ),
      );
      if (size === 0) {
        shape = y.shape.slice(1);
        size = shape.reduce((p, q) => p * q, 1);
        orig = new Float32Array(n * size);
        flip = new Float32Array(n * size);
      }
      (which === 'orig' ? orig : flip).set(await y.data(), i * size);
      y.dispose();
    }
  }
  return { files: acts.files, index: acts.index, orig, flip, shape, size };
}

/** One set holding the rows of both (same cut, disjoint file names: e.g. LFW and celeba-dev). */
export function concatActivations(a: ActivationSet, b: ActivationSet): ActivationSet {
  if (a.size !== b.size) throw new Error('activation sets of different cuts cannot be joined');
  for (const f of b.files) if (a.index.has(f)) throw new Error(`${f} is in both activation sets`);
  const files = [...a.files, ...b.files];
  const join = (x: Float32Array, y: Float32Array) => {
    const out = new Float32Array(x.length + y.length);
    out.set(x, 0);
    out.set(y, x.length);
    return out;
  };
  return {
    files,
    index: new Map(files.map((f, i) => [f, i])),
    orig: join(a.orig, b.orig),
    flip: join(a.flip, b.flip),
    shape: a.shape,
    size: a.size,
  };
}
