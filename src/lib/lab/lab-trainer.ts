/**
 * The margin lab's training: a small net (512 -> 64 ReLU -> 2 or 3 features) under one of the
 * margin heads of src/lib/train/margin-heads.ts, full-batch Adam on the lab's 8 people. Pure tfjs
 * (no DOM): the lab's worker runs it, and so do the unit tests in Node.
 *
 * Gradients need '@tensorflow/tfjs-core/dist/register_all_gradients' imported once by the entry
 * point (the worker; vitest's setup for the tests), as margin-heads.ts explains.
 */

import * as tf from '@tensorflow/tfjs-core';
import type { MarginConfig } from '../math/margin-losses';
import { marginLossTf } from '../train/margin-heads';
import {
  meanIntraClassAngleDeg,
  minInterClassAngleDeg,
  nearestClassAccuracy,
  regionAt,
} from './lab-geometry';
import type { LabData, LabSettings, LabSnapshot } from './lab-types';

const HIDDEN = 64;

/**
 * SphereFace's annealing of λ (Liu et al. 2017, their released schedule): the margin term is
 * blended in slowly, λ = max(λ_min, base·(1 + γ·step)^(−power)), from plain softmax towards
 * A-Softmax; without it A-Softmax with m = 4 rarely converges.
 */
export function sphereLambda(step: number): number {
  const base = 1000;
  const gamma = 0.12;
  const power = 1;
  const min = 5;
  return Math.max(min, base * Math.pow(1 + gamma * step, -power));
}

export function marginConfig(settings: LabSettings, step: number): MarginConfig {
  switch (settings.loss) {
    case 'softmax':
      return { method: 'softmax', s: 1, m: 0 };
    case 'nsl':
      return { method: 'nsl', s: settings.s, m: 0 };
    case 'cosface':
      return { method: 'cosface', s: settings.s, m: settings.m };
    case 'arcface':
      return { method: 'arcface', s: settings.s, m: settings.m };
    case 'sphereface':
      return {
        method: 'sphereface',
        s: settings.s,
        m: Math.max(1, Math.round(settings.m)),
        lambda: sphereLambda(step),
      };
  }
}

/** This many steps in, a run where most samples still miss the margin is not converging. */
const STALL_STEP = 150;
const MARGIN_MET_MIN = 0.5;

export class LabTrainer {
  private readonly x: tf.Tensor2D;
  private readonly y: tf.Tensor1D;
  private readonly classes: number;
  private vars: tf.Variable[] = [];
  private optimizer: tf.Optimizer | null = null;
  private stepCount = 0;
  private losses: number[] = [];

  constructor(
    private readonly data: LabData,
    private settings: LabSettings,
  ) {
    const rows = data.labels.length;
    this.x = tf.tensor2d(data.embeddings, [rows, data.dim]);
    this.y = tf.tensor1d(data.labels, 'int32');
    this.classes = data.names.length;
    this.reset();
  }

  /** Fresh weights from the seed: the same seed and settings give the same run. */
  reset(): void {
    this.disposeVars();
    const { seed, featureDim } = this.settings;
    const init = (shape: [number, number], std: number, k: number) =>
      tf.variable(tf.randomNormal(shape, 0, std, 'float32', seed * 10 + k));
    this.vars = [
      init([this.data.dim, HIDDEN], Math.sqrt(2 / this.data.dim), 1),
      tf.variable(tf.zeros([HIDDEN])),
      init([HIDDEN, featureDim], Math.sqrt(1 / HIDDEN), 2),
      tf.variable(tf.zeros([featureDim])),
      init([this.classes, featureDim], Math.sqrt(1 / featureDim), 3),
    ];
    this.optimizer = tf.train.adam(this.settings.learningRate);
    this.stepCount = 0;
    this.losses = [];
  }

  /** New settings; a different feature dimension or seed starts over, the rest carries on. */
  setSettings(settings: LabSettings): void {
    const restart =
      settings.featureDim !== this.settings.featureDim ||
      settings.seed !== this.settings.seed ||
      settings.learningRate !== this.settings.learningRate;
    this.settings = settings;
    if (restart) this.reset();
  }

  private features(): tf.Tensor2D {
    const [w1, b1, w2, b2] = this.vars as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
    return tf.tidy(() => {
      const h = tf.relu(tf.add(tf.matMul(this.x, w1 as tf.Tensor2D), b1));
      return tf.add<tf.Tensor2D>(tf.matMul(h, w2), b2);
    });
  }

  /** Runs `n` full-batch steps; returns the state after them. */
  async step(n = 1): Promise<LabSnapshot> {
    const optimizer = this.optimizer;
    if (!optimizer) throw new Error('the lab trainer was disposed');
    for (let i = 0; i < n; i++) {
      const cfg = marginConfig(this.settings, this.stepCount);
      const classW = this.vars[4] as tf.Variable<tf.Rank.R2>;
      const cost = optimizer.minimize(
        () => marginLossTf(this.features(), classW, this.y, cfg),
        true,
        this.vars,
      );
      const value = cost ? ((await cost.data())[0] ?? NaN) : NaN;
      cost?.dispose();
      this.losses.push(value);
      this.stepCount++;
      if (!Number.isFinite(value)) break;
    }
    return this.snapshot();
  }

  async snapshot(): Promise<LabSnapshot> {
    const f = this.features();
    const features = await f.array();
    f.dispose();
    const weights = (await (this.vars[4] as tf.Variable).array()) as number[][];
    const labels = this.data.labels;
    const marginMet =
      labels.length === 0
        ? NaN
        : labels.filter((y, i) => regionAt(features[i] ?? [], weights, this.settings) === y)
            .length / labels.length;
    const diverged =
      this.losses.some((l) => !Number.isFinite(l)) ||
      (this.stepCount >= STALL_STEP && marginMet < MARGIN_MET_MIN);
    return {
      step: this.stepCount,
      losses: [...this.losses],
      features,
      labels: [...labels],
      weights,
      minInterClassDeg: minInterClassAngleDeg(weights),
      meanIntraClassDeg: meanIntraClassAngleDeg(features, labels, weights),
      accuracy: nearestClassAccuracy(features, labels, weights),
      marginMet,
      diverged,
    };
  }

  private disposeVars(): void {
    for (const v of this.vars) v.dispose();
    this.vars = [];
    this.optimizer?.dispose();
    this.optimizer = null;
  }

  dispose(): void {
    this.disposeVars();
    this.x.dispose();
    this.y.dispose();
  }
}
