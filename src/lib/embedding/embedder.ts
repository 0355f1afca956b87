import * as tf from '@tensorflow/tfjs-core';
import { runGraph, runGraphFused, type GraphSpec, type Params } from './graph';
import { ModelFileError, verifyFile, type GraphFile, type ModelManifest } from './manifest';
import { inputTensor, type CropPixels } from './preprocess';
import { decodeWeights } from './weights';

export type FetchBytes = (path: string) => Promise<ArrayBuffer>;

/**
 * The backbone, ready to embed aligned crops. Weights are checked against the manifest's sha256
 * before use, so a damaged download is refused with a clear message, never run.
 */
export class Embedder {
  private constructor(
    readonly manifest: ModelManifest,
    readonly spec: GraphSpec,
    readonly params: Map<string, tf.Tensor>,
  ) {}

  static async load(manifest: ModelManifest, fetchBytes: FetchBytes): Promise<Embedder> {
    const [graphBytes, weightBytes] = await Promise.all([
      fetchBytes(manifest.graph),
      fetchBytes(manifest.weights),
    ]);
    await verifyFile(manifest, manifest.graph, graphBytes);
    await verifyFile(manifest, manifest.weights, weightBytes);
    let graph: GraphFile;
    try {
      graph = JSON.parse(new TextDecoder().decode(graphBytes)) as GraphFile;
    } catch {
      throw new ModelFileError(`The face model file ${manifest.graph} is not valid JSON.`);
    }
    const decoded = decodeWeights(graph.weights, weightBytes);
    const params = new Map<string, tf.Tensor>();
    for (const [name, { shape, values }] of decoded) params.set(name, tf.tensor(values, shape));
    return new Embedder(manifest, graph.spec, params);
  }

  get dim(): number {
    return this.manifest.embedding.dim;
  }

  /**
   * Raw (unnormalised) embeddings as a tensor; for scripts that keep working in tfjs. `flip`
   * (default: the manifest's flipAugment) sums the embeddings of each crop and its mirror image,
   * both in one batch: one pass of the graph instead of two. `fused` runs conv + bias + PReLU as
   * one op (inference only: no PReLU gradient).
   */
  embedTensor(
    input: tf.Tensor4D,
    params: Params = this.params,
    flip = this.manifest.embedding.flipAugment,
    fused = false,
  ): tf.Tensor2D {
    const run = fused ? runGraphFused : runGraph;
    return tf.tidy(() => {
      if (!flip) return run(this.spec, params, input) as tf.Tensor2D;
      const n = input.shape[0];
      const both = run(this.spec, params, tf.concat([input, tf.reverse(input, 2)], 0));
      return tf.add<tf.Tensor2D>(tf.slice(both, [0, 0], [n, -1]), tf.slice(both, [n, 0], [n, -1]));
    });
  }

  /** Unit-length embeddings, one Float32Array per crop. */
  async embed(
    crops: readonly CropPixels[],
    flip = this.manifest.embedding.flipAugment,
  ): Promise<Float32Array[]> {
    if (crops.length === 0) return [];
    const normalized = tf.tidy(() => {
      // Inference: the fused graph (conv + bias + PReLU in one op).
      const e = this.embedTensor(inputTensor(crops, this.manifest.input), this.params, flip, true);
      return tf.div(e, tf.maximum(tf.norm(e, 'euclidean', 1, true), 1e-12));
    });
    // Always async: dataSync() on webgpu returned zeros and lost the device (ARCHITECTURE.md).
    const flat = (await normalized.data()) as Float32Array;
    normalized.dispose();
    const dim = flat.length / crops.length;
    return crops.map((_, i) => flat.slice(i * dim, (i + 1) * dim));
  }

  dispose(): void {
    for (const t of this.params.values()) t.dispose();
    this.params.clear();
  }
}
