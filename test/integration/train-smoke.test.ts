/// <reference types="node" />
import { expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import { Embedder } from '../../src/lib/embedding/embedder';
import { runGraph } from '../../src/lib/embedding/graph';
import { inputTensor } from '../../src/lib/embedding/preprocess';
import { TailTrainer } from '../../scripts/lib/tail-trainer';
import { TAIL_CUT } from '../../scripts/lib/tail-cut';
import { centreCrop, fetchModelFile, lfwFile, readModelManifest } from './lfw-fixture';

// People of LFW folds 1-5 only: the test folds 6-10 stay unseen by anything that trains.
const PEOPLE = [
  'Colin_Powell',
  'Tony_Blair',
  'Donald_Rumsfeld',
  'Gerhard_Schroeder',
  'Ariel_Sharon',
];

it('a tiny LMCL training run on real faces lowers the loss', async () => {
  await tf.setBackend('cpu');
  const embedder = await Embedder.load(readModelManifest(), fetchModelFile);
  const crops = PEOPLE.flatMap((p) => [1, 2, 3, 4].map((n) => centreCrop(lfwFile(p, n))));
  const labels = PEOPLE.flatMap((_, c) => [c, c, c, c]);
  const activations = tf.tidy(() =>
    runGraph(embedder.spec, embedder.params, inputTensor(crops, embedder.manifest.input), {
      to: TAIL_CUT,
    }),
  );
  const trainer = new TailTrainer({
    spec: embedder.spec,
    baseParams: embedder.params,
    cut: TAIL_CUT,
    config: { method: 'cosface', s: 16, m: 0.2 },
    numClasses: PEOPLE.length,
    dim: embedder.manifest.embedding.dim,
    init: 'random',
    lr: 1e-3,
    seed: 3,
  });
  const y = tf.tensor1d(labels, 'int32');
  const losses: number[] = [];
  for (let step = 0; step < 15; step++) losses.push(await trainer.step(activations, y));
  const first = losses[0] ?? NaN;
  const last = losses.at(-1) ?? NaN;
  expect(Number.isFinite(first)).toBe(true);
  expect(last).toBeLessThan(first * 0.5);
  trainer.dispose();
  y.dispose();
  activations.dispose();
  embedder.dispose();
}, 180_000);
