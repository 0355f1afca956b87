import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeLabData } from '../../../src/lib/lab/lab-data';
import { LabTrainer, marginConfig, sphereLambda } from '../../../src/lib/lab/lab-trainer';
import type { LabData, LabSettings } from '../../../src/lib/lab/lab-types';

let data: LabData;
const base: LabSettings = {
  loss: 'cosface',
  s: 16,
  m: 0.35,
  featureDim: 2,
  seed: 1,
  learningRate: 0.01,
};

beforeAll(async () => {
  await tf.setBackend('cpu');
  data = decodeLabData(
    JSON.parse(readFileSync(resolve(import.meta.dirname, '../../../public/lab/lfw8.json'), 'utf8')),
  );
});

// Real training steps on tfjs-cpu: 5-40 s each here, several times that on a busy CI machine.
describe('LabTrainer on the real lab data', { timeout: 300_000 }, () => {
  it('CosFace: the loss falls, the classes separate, and no tensor leaks across steps', async () => {
    const trainer = new LabTrainer(data, { ...base, m: 0.2 });
    const before = await trainer.snapshot();
    expect(before.step).toBe(0);
    expect(before.features).toHaveLength(data.labels.length);
    expect(before.weights).toHaveLength(8);
    // The first step makes Adam's moment variables; after that the count must not grow.
    await trainer.step(1);
    const tensors = tf.memory().numTensors;
    const after = await trainer.step(119);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(after.step).toBe(120);
    expect(after.losses).toHaveLength(120);
    expect(after.marginMet).toBeGreaterThan(0.9);
    expect(after.losses.at(-1)).toBeLessThan(after.losses[0]! * 0.5);
    expect(after.accuracy).toBeGreaterThan(0.9);
    expect(after.meanIntraClassDeg).toBeLessThan(before.meanIntraClassDeg);
    expect(after.diverged).toBe(false);
    trainer.dispose();
  });

  it('the same seed and settings give the same run; reset starts it over', async () => {
    const a = new LabTrainer(data, base);
    const b = new LabTrainer(data, base);
    const ra = await a.step(20);
    const rb = await b.step(20);
    expect(ra.losses).toEqual(rb.losses);
    a.reset();
    expect((await a.step(20)).losses).toEqual(ra.losses);
    a.dispose();
    b.dispose();
  });

  it('a 3-D run has 3-D features; every loss trains without NaN', async () => {
    for (const loss of ['softmax', 'nsl', 'sphereface', 'cosface', 'arcface'] as const) {
      const m = loss === 'sphereface' ? 4 : loss === 'arcface' ? 0.5 : 0.35;
      const t = new LabTrainer(data, { ...base, loss, m, featureDim: 3 });
      const r = await t.step(30);
      expect(r.features[0]).toHaveLength(3);
      expect(r.losses.every(Number.isFinite)).toBe(true);
      expect(r.losses.at(-1)).toBeLessThan(r.losses[0]!);
      t.dispose();
    }
  });

  it('CosFace past the 2-D bound (1 - cos 45° = 0.293) cannot meet its margin, and says so', async () => {
    const below = new LabTrainer(data, { ...base, m: 0.2 });
    const ok = await below.step(160);
    expect(ok.marginMet).toBeGreaterThan(0.9);
    expect(ok.diverged).toBe(false);
    below.dispose();
    const past = new LabTrainer(data, { ...base, m: 0.45 });
    const r = await past.step(160);
    expect(r.marginMet).toBeLessThan(0.5);
    expect(r.diverged).toBe(true);
    past.dispose();
  });
});

describe('settings to a margin config', () => {
  it('anneals A-Softmax from softmax-like towards the margin', () => {
    expect(sphereLambda(0)).toBe(1000);
    expect(sphereLambda(100)).toBeLessThan(100);
    expect(sphereLambda(1e6)).toBe(5);
    expect(marginConfig({ ...base, loss: 'sphereface', m: 3.6 }, 0)).toMatchObject({
      method: 'sphereface',
      m: 4,
      lambda: 1000,
    });
    expect(marginConfig({ ...base, loss: 'softmax' }, 0).method).toBe('softmax');
  });
});
