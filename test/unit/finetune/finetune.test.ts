import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BackgroundBank } from '../../../src/lib/finetune/bank';
import {
  checkAdapter,
  FinetuneCancelled,
  finetune,
  headLoss,
  type FinetuneProgress,
} from '../../../src/lib/finetune/finetune';
import { RunHold } from '../../../src/lib/finetune/run-hold';
import { marginLoss } from '../../../src/lib/math/margin-losses';
import { seededRandom } from '../../../src/lib/math/seeded-random';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const dim = 16;

function unit(v: number[]): Float32Array {
  const n = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / n);
}

function randomUnit(rng: () => number): Float32Array {
  return unit(Array.from({ length: dim }, () => rng() - 0.5));
}

function near(c: Float32Array, rng: () => number, noise: number): Float32Array {
  return unit(Array.from(c, (x) => x + (rng() - 0.5) * noise));
}

describe('the fine-tuning head', () => {
  it('its loss equals the reference LMCL over the enrolled weights followed by the bank centres', () => {
    const rng = seededRandom(3);
    const x = Array.from({ length: 5 }, () => Array.from({ length: dim }, () => rng() - 0.5));
    const w = Array.from({ length: 2 }, () => Array.from({ length: dim }, () => rng() - 0.5));
    const c = Array.from({ length: 4 }, () => Array.from(randomUnit(rng)));
    const y = [0, 1, 2, 5, 1];
    const got = tf.tidy(
      () =>
        headLoss(tf.tensor2d(x), tf.tensor2d(w), tf.tensor2d(c), tf.tensor1d(y, 'int32'), {
          s: 30,
          m: 0.35,
        }).dataSync()[0],
    );
    const want = marginLoss(x, [...w, ...c], y, { method: 'cosface', s: 30, m: 0.35 });
    expect(got).toBeCloseTo(want, 3);
  });
});

describe('finetune()', () => {
  const rng = seededRandom(9);
  const classes = 12;
  const centres = Array.from({ length: classes }, () => randomUnit(rng));
  const bankSamples: Float32Array[] = [];
  const labels: number[] = [];
  centres.forEach((c, k) => {
    for (let v = 0; v < 4; v++) {
      bankSamples.push(near(c, rng, 0.6));
      labels.push(k);
    }
  });
  const flatten = (rows: Float32Array[]) => {
    const out = new Float32Array(rows.length * dim);
    rows.forEach((r, i) => out.set(r, i * dim));
    return out;
  };
  const bank: BackgroundBank = {
    dim,
    classes,
    centres: flatten(centres),
    samples: flatten(bankSamples),
    labels: Uint16Array.from(labels),
    validationClasses: 4,
  };
  const personDirs = [randomUnit(rng), randomUnit(rng)];
  // A stand-in backbone: the crop's brightness says whose face it is; the rest is noise.
  const embed = (crops: { data: Uint8ClampedArray | Uint8Array }[]) =>
    Promise.resolve(
      crops.map((c) => {
        let sum = 0;
        for (let i = 0; i < c.data.length; i += 4) sum += c.data[i] ?? 0;
        const dir = personDirs[sum / (c.data.length / 4) < 110 ? 0 : 1] as Float32Array;
        return near(dir, rng, 0.8);
      }),
    );
  const crop = (value: number) => {
    const data = new Uint8ClampedArray(8 * 8 * 4).fill(value);
    return { data, width: 8, height: 8 };
  };
  const people = [60, 190].map((value, p) => ({
    id: `p${p}`,
    samples: Array.from({ length: 4 }, () => ({
      embedding: near(personDirs[p] as Float32Array, rng, 0.8),
      crop: crop(value),
    })),
  }));
  const config = { steps: 40, rank: 4, bankClasses: 6, bankBatch: 16, views: 2, lr: 1e-2 };

  it('lowers its loss, reports progress up to 100 % and checks itself on held-out samples', async () => {
    const t0 = tf.memory().numTensors;
    const seen: FinetuneProgress[] = [];
    const result = await finetune({
      people,
      bank,
      threshold: 0.3,
      embed,
      config,
      onProgress: (p) => seen.push(p),
    });
    expect(result.losses).toHaveLength(40);
    expect(result.losses.at(-1)).toBeLessThan(result.losses[0] ?? 0);
    const fractions = seen.map((p) => p.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(fractions.at(-1)).toBe(1);
    expect(seen.some((p) => p.phase === 'train' && p.loss !== undefined)).toBe(true);
    // One held-out sample per person plus its 2 augmented views.
    expect(result.guard.genuine.count).toBe(6);
    // 4 validation strangers x 4 samples x 2 templates, plus each person's 3 rows vs the other.
    expect(result.guard.strangers.count).toBe(4 * 4 * 2 + 6);
    expect(result.templates).toHaveLength(2);
    result.templates.forEach((t) => expect(Math.hypot(...t)).toBeCloseTo(1, 5));
    expect(result.adapter?.rank).toBe(4);
    expect(result.guard.reason.length).toBeGreaterThan(10);
    // Score normalisation is checked on its own; when kept, one cohort per template.
    expect(result.normGuard).not.toBeNull();
    if (result.normGuard?.accepted) {
      expect(result.norm?.stats).toHaveLength(2);
      result.norm?.stats.forEach((st) => expect(st.sd).toBeGreaterThan(0));
    } else expect(result.norm).toBeNull();
    expect(tf.memory().numTensors).toBe(t0);
  });

  it('waits between steps while held, and goes on to the end once released', async () => {
    const hold = new RunHold();
    let steps = 0;
    const run = finetune({
      people,
      bank,
      threshold: 0.3,
      embed,
      config,
      onProgress: (p) => {
        if (p.phase !== 'train') return;
        steps++;
        if (steps === 2) hold.hold();
      },
      mayContinue: () => hold.mayContinue(),
    });
    for (let i = 0; i < 20 && !hold.held; i++) await new Promise((r) => setTimeout(r, 5));
    for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 5));
    expect(steps).toBe(2);
    hold.release();
    const result = await run;
    expect(result.losses).toHaveLength(config.steps);
    expect(steps).toBe(config.steps);
  });

  it('stops with FinetuneCancelled when cancelled, leaving no tensors behind', async () => {
    const before = tf.memory().numTensors;
    let steps = 0;
    await expect(
      finetune({
        people,
        bank,
        threshold: 0.3,
        embed,
        config,
        onProgress: (p) => {
          if (p.phase === 'train') steps++;
        },
        isCancelled: () => steps >= 3,
      }),
    ).rejects.toBeInstanceOf(FinetuneCancelled);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('spends at most the view budget per person, and at least one view per sample', async () => {
    const embedded: number[] = [];
    const counting = async (crops: { data: Uint8ClampedArray | Uint8Array }[]) => {
      embedded.push(crops.length);
      return embed(crops);
    };
    const run = (viewBudget: number) =>
      finetune({
        people,
        bank,
        threshold: 0.3,
        embed: counting,
        config: { ...config, steps: 2, views: 8, viewBudget },
      });
    // 3 training samples per person: 8 views each within a budget of 64, 2 within 6, 1 within 2;
    // the held-out sample always gets the full 8.
    for (const [budget, perSample] of [
      [64, 8],
      [6, 2],
      [2, 1],
    ] as const) {
      embedded.length = 0;
      const result = await run(budget);
      const total = embedded.reduce((a, b) => a + b, 0);
      expect(total).toBe(2 * (3 * perSample + 8));
      expect(result.views).toBe(total);
    }
  });

  it('judges a change of scale by counts: one that lets strangers through is refused', () => {
    const train = people.map((p) => p.samples.slice(1).map((x) => x.embedding));
    const validation = people.map((p) => p.samples.slice(0, 1).map((x) => x.embedding));
    const templates = train.map((rows) => {
      const m = new Float32Array(dim);
      for (const r of rows) r.forEach((x, j) => (m[j] = (m[j] ?? 0) + x));
      return unit(Array.from(m));
    });
    const same = (e: Float32Array) => e;
    const check = (score: (k: number, raw: number) => number) =>
      checkAdapter(same, templates, train, validation, bank, 0.3, {
        before: { adapt: same, templates },
        score,
        countsOnly: true,
      });
    expect(check((_k, v) => v).accepted).toBe(true);
    // Shrinking every score toward zero moves the mean but rejects no held-out sample here.
    expect(check((_k, v) => (v > 0.3 ? v * 0.9 + 0.03 : v)).accepted).toBe(true);
    const loose = check((_k, v) => v + 0.5);
    expect(loose.accepted).toBe(false);
    expect(loose.reason).toMatch(/more strangers/);
  });

  it('refuses to run for nobody', async () => {
    await expect(finetune({ people: [], bank, threshold: 0.3, embed })).rejects.toThrow(/nobody/i);
  });
});
