import { describe, expect, it } from 'vitest';
import {
  bankBytes,
  decodeBank,
  encodeBank,
  type BackgroundBank,
} from '../../../src/lib/finetune/bank';
import { seededRandom } from '../../../src/lib/math/seeded-random';

function unitRows(n: number, dim: number, seed: number): Float32Array {
  const rng = seededRandom(seed);
  const out = new Float32Array(n * dim);
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let j = 0; j < dim; j++) {
      const v = rng() - 0.5;
      out[k * dim + j] = v;
      s += v * v;
    }
    for (let j = 0; j < dim; j++) out[k * dim + j] = (out[k * dim + j] ?? 0) / Math.sqrt(s);
  }
  return out;
}

const dim = 64;
const bank: BackgroundBank = {
  dim,
  classes: 5,
  centres: unitRows(5, dim, 1),
  samples: unitRows(9, dim, 2),
  labels: Uint16Array.from([0, 0, 1, 1, 2, 3, 3, 4, 4]),
  validationClasses: 2,
};
const info = { file: 'b.bin', dim, classes: 5, samples: 9, validationClasses: 2 };

describe('background bank file', () => {
  it('round-trips: int8 keeps every vector within a cosine of 0.999 and the labels exactly', () => {
    const bytes = encodeBank(bank);
    expect(bytes.length).toBe(bankBytes(info));
    const back = decodeBank(info, bytes.buffer as ArrayBuffer);
    expect([...back.labels]).toEqual([...bank.labels]);
    expect(back.validationClasses).toBe(2);
    for (const [a, b, n] of [
      [bank.centres, back.centres, 5],
      [bank.samples, back.samples, 9],
    ] as const) {
      for (let k = 0; k < n; k++) {
        let c = 0;
        for (let j = 0; j < dim; j++) c += (a[k * dim + j] ?? 0) * (b[k * dim + j] ?? 0);
        expect(c).toBeGreaterThan(0.999);
      }
    }
  });

  it('refuses a file of the wrong size or with a label out of range', () => {
    const bytes = encodeBank(bank);
    expect(() => decodeBank(info, bytes.buffer.slice(1) as ArrayBuffer)).toThrow(/bytes/);
    const bad = encodeBank({ ...bank, labels: Uint16Array.from([0, 0, 1, 1, 2, 3, 3, 4, 9]) });
    expect(() => decodeBank(info, bad.buffer as ArrayBuffer)).toThrow(/label 9/);
  });
});
