import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CropPixels } from '../../../src/lib/embedding/preprocess';
import type { BackgroundBank } from '../../../src/lib/finetune/bank';
import {
  FinetuneCancelled,
  finetune,
  type FinetuneConfig,
  type FinetunePerson,
} from '../../../src/lib/finetune/finetune';
import { seededRandom } from '../../../src/lib/math/seeded-random';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const dim = 12;
const rng = seededRandom(21);
const unit = (v: number[]) => {
  const n = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / n);
};
const randomUnit = () => unit(Array.from({ length: dim }, () => rng() - 0.5));
const near = (c: Float32Array) => unit(Array.from(c, (x) => x + (rng() - 0.5) * 0.8));
const flatten = (rows: Float32Array[]) => {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => out.set(r, i * dim));
  return out;
};

const centres = Array.from({ length: 10 }, randomUnit);
const bankRows = centres.flatMap((c) => [near(c), near(c), near(c)]);
const bank: BackgroundBank = {
  dim,
  classes: centres.length,
  centres: flatten(centres),
  samples: flatten(bankRows),
  labels: Uint16Array.from(centres.flatMap((_, k) => [k, k, k])),
  validationClasses: 3,
};
const dirs = [randomUnit(), randomUnit()];
const crop = (value: number): CropPixels => ({
  data: new Uint8ClampedArray(8 * 8 * 4).fill(value),
  width: 8,
  height: 8,
});
const people: FinetunePerson[] = dirs.map((d, p) => ({
  id: `p${p}`,
  samples: Array.from({ length: 4 }, () => ({ embedding: near(d), crop: crop(p ? 200 : 50) })),
}));
// A stand-in backbone: the crop's brightness says whose face it is.
const embed = (crops: CropPixels[]) =>
  Promise.resolve(crops.map((c) => near(dirs[(c.data[0] ?? 0) > 128 ? 1 : 0] as Float32Array)));
const small: Partial<FinetuneConfig> = { steps: 4, bankClasses: 5, bankBatch: 8, views: 2 };

/** What tfjs holds: any tensor, variable or buffer a fine-tune leaves behind shows here. */
const held = () => {
  const m = tf.memory();
  return { tensors: m.numTensors, buffers: m.numDataBuffers, bytes: m.numBytes };
};

describe('finetune() leaves no tensors behind', () => {
  const modes: Partial<FinetuneConfig>[] = [
    { rank: 0, templates: 'head' },
    { rank: 4, templates: 'head' },
    { rank: 4, templates: 'mean' },
    { rank: 3, templates: 'views' },
    { rank: 2, templates: 'base' },
    // Tied templates without an adapter: nothing trains, the tensors are still made.
    { rank: 0, templates: 'mean' },
  ];
  for (const mode of modes) {
    it(`after a run with rank ${mode.rank} and '${mode.templates}' templates`, async () => {
      const before = held();
      const result = await finetune({
        people,
        bank,
        threshold: 0.3,
        embed,
        config: { ...small, ...mode },
      });
      expect(result.templates).toHaveLength(2);
      expect(held()).toEqual(before);
    });
  }

  it('after two runs in a row (the optimiser state goes with each)', async () => {
    const before = held();
    await finetune({ people, bank, threshold: 0.3, embed, config: { ...small, rank: 4 } });
    await finetune({ people, bank, threshold: 0.3, embed, config: { ...small, rank: 4 } });
    expect(held()).toEqual(before);
  });

  it('when cancelled while embedding views', async () => {
    const before = held();
    await expect(
      finetune({ people, bank, threshold: 0.3, embed, config: small, isCancelled: () => true }),
    ).rejects.toBeInstanceOf(FinetuneCancelled);
    expect(held()).toEqual(before);
  });

  it('when cancelled between training steps', async () => {
    const before = held();
    let steps = 0;
    await expect(
      finetune({
        people,
        bank,
        threshold: 0.3,
        embed,
        config: { ...small, rank: 4, templates: 'mean' },
        onProgress: (p) => {
          if (p.phase === 'train') steps++;
        },
        isCancelled: () => steps >= 2,
      }),
    ).rejects.toBeInstanceOf(FinetuneCancelled);
    expect(steps).toBe(2);
    expect(held()).toEqual(before);
  });

  it('when the backbone fails', async () => {
    const before = held();
    const failing = () => Promise.reject(new Error('backbone lost its context'));
    await expect(
      finetune({ people, bank, threshold: 0.3, embed: failing, config: small }),
    ).rejects.toThrow(/lost its context/);
    expect(held()).toEqual(before);
  });

  it('when training diverges', async () => {
    const before = held();
    const broken = people.map((p) => ({
      ...p,
      samples: p.samples.map(() => ({ embedding: new Float32Array(dim).fill(Number.NaN) })),
    }));
    await expect(
      finetune({ people: broken, bank, threshold: 0.3, embed, config: { ...small, rank: 4 } }),
    ).rejects.toThrow(/diverged/);
    expect(held()).toEqual(before);
  });
});
