import * as tf from '@tensorflow/tfjs-core';
import { runGraph, tailParamNames, type GraphSpec } from '../../src/lib/embedding/graph.ts';
import type { MarginConfig } from '../../src/lib/math/margin-losses.ts';
import { MarginHead } from '../../src/lib/train/margin-heads.ts';

export interface TailTrainerOptions {
  spec: GraphSpec;
  /** Every weight of the model; the tail's are copied into trainable variables. */
  baseParams: ReadonlyMap<string, tf.Tensor>;
  /** Tensor name where the frozen trunk ends and the trained tail begins. */
  cut: string;
  config: MarginConfig;
  numClasses: number;
  dim: number;
  /** 'pretrained' fine-tunes the tail; 'random' re-initialises it (for loss comparisons). */
  init: 'pretrained' | 'random';
  lr: number;
  seed?: number;
  /** Initial class weights (numClasses x dim), e.g. class centres of the current embeddings. */
  headInit?: Float32Array;
  /**
   * Weight of an L2 pull of the tail back to its starting weights (L2-SP). With a few hundred
   * identities, free fine-tuning overfits and forgets what the pretrained tail knew.
   */
  anchor?: number;
}

function fanIn(shape: readonly number[]): number {
  // HWIO conv filters: h*w*in; depthwise HWC1 filters: h*w.
  if (shape.length !== 4) return 1;
  const [h = 1, w = 1, i = 1, o = 1] = shape;
  return o === 1 ? h * w : h * w * i;
}

/**
 * Trains the layers after `cut` plus a margin head (CosFace/LMCL, ArcFace, ...) on activations of
 * the frozen trunk. No DOM and no Node APIs: the same class runs in scripts/train and in the
 * browser's fine-tuning worker.
 */
export class TailTrainer {
  readonly head: MarginHead;
  private readonly variables = new Map<string, tf.Variable>();
  private readonly optimizer: tf.Optimizer;
  private readonly merged: Map<string, tf.Tensor>;
  private readonly start = new Map<string, tf.Tensor>();

  constructor(private readonly opts: TailTrainerOptions) {
    const seed = opts.seed ?? 1;
    tailParamNames(opts.spec, opts.cut).forEach((name, k) => {
      const p = opts.baseParams.get(name);
      if (!p) throw new Error(`model weights lack "${name}"`);
      const init = tf.tidy(() =>
        opts.init === 'pretrained'
          ? tf.clone(p)
          : name.endsWith('.filter')
            ? tf.randomNormal(p.shape, 0, 1 / Math.sqrt(fanIn(p.shape)), 'float32', seed * 100 + k)
            : tf.zerosLike(p),
      );
      this.variables.set(name, tf.variable(init, true));
      this.start.set(name, init);
    });
    this.merged = new Map([...opts.baseParams, ...this.variables]);
    this.head = new MarginHead({
      numClasses: opts.numClasses,
      dim: opts.dim,
      config: opts.config,
      seed,
    });
    if (opts.headInit) {
      const w = tf.tensor2d(opts.headInit, [opts.numClasses, opts.dim]);
      this.head.weights.assign(w);
      w.dispose();
    }
    this.optimizer = tf.train.adam(opts.lr);
  }

  /** The tail's output (raw embeddings) for a batch of trunk activations. */
  forward(activations: tf.Tensor): tf.Tensor2D {
    return runGraph(this.opts.spec, this.merged, activations, {
      from: this.opts.cut,
    }) as tf.Tensor2D;
  }

  /** One optimisation step; returns the batch loss. */
  async step(activations: tf.Tensor, labels: tf.Tensor1D): Promise<number> {
    const anchor = this.opts.anchor ?? 0;
    const loss = this.optimizer.minimize(
      () => {
        let total = this.head.loss(this.forward(activations), labels);
        if (anchor > 0) {
          for (const [name, v] of this.variables) {
            const w0 = this.start.get(name);
            if (w0) total = tf.add(total, tf.mul(anchor, tf.sum(tf.square(tf.sub(v, w0)))));
          }
        }
        return total;
      },
      true,
      [...this.variables.values(), this.head.weights],
    );
    if (!loss) throw new Error('optimizer returned no loss');
    const value = (await loss.data())[0] ?? Number.NaN;
    loss.dispose();
    return value;
  }

  /** Base weights with the trained tail in place: what the model runs with after training. */
  params(): ReadonlyMap<string, tf.Tensor> {
    return this.merged;
  }

  tailNames(): string[] {
    return [...this.variables.keys()];
  }

  dispose(): void {
    for (const v of this.variables.values()) v.dispose();
    this.variables.clear();
    for (const t of this.start.values()) t.dispose();
    this.start.clear();
    this.head.dispose();
    this.optimizer.dispose();
  }
}
