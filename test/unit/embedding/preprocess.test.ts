import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelManifest } from '../../../src/lib/embedding/manifest';
import { cropsToInput, inputTensor, type CropPixels } from '../../../src/lib/embedding/preprocess';

type InputSpec = ModelManifest['input'];

const rgb: InputSpec = { size: 2, colorOrder: 'RGB', mean: 127.5, std: 128, alignment: 'test' };
const bgr: InputSpec = { ...rgb, colorOrder: 'BGR' };

/** A size x size crop whose pixel i has R = 10 i + 1, G = 10 i + 2, B = 10 i + 3, A = 255. */
function crop(size: number, offset = 0): CropPixels {
  const data = new Uint8ClampedArray(size * size * 4);
  for (let i = 0; i < size * size; i++) {
    data[i * 4] = offset + 10 * i + 1;
    data[i * 4 + 1] = offset + 10 * i + 2;
    data[i * 4 + 2] = offset + 10 * i + 3;
    data[i * 4 + 3] = 255;
  }
  return { data, width: size, height: size };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('cropsToInput', () => {
  it('keeps RGB order and drops alpha', () => {
    const out = cropsToInput([crop(2)], { ...rgb, mean: 0, std: 1 });
    expect(Array.from(out)).toEqual([1, 2, 3, 11, 12, 13, 21, 22, 23, 31, 32, 33]);
  });

  it('swaps to BGR order', () => {
    const out = cropsToInput([crop(2)], { ...bgr, mean: 0, std: 1 });
    expect(Array.from(out)).toEqual([3, 2, 1, 13, 12, 11, 23, 22, 21, 33, 32, 31]);
  });

  it('scales as (x - mean) / std', () => {
    const c: CropPixels = {
      data: Uint8Array.from([0, 255, 127, 9, 128, 64, 192, 9, 1, 2, 3, 9, 200, 100, 50, 9]),
      width: 2,
      height: 2,
    };
    const out = cropsToInput([c], rgb);
    const expected = [0, 255, 127, 128, 64, 192, 1, 2, 3, 200, 100, 50].map(
      (v) => (v - 127.5) / 128,
    );
    expect(out.length).toBe(expected.length);
    out.forEach((v, i) => expect(v).toBeCloseTo(expected[i] ?? Number.NaN, 6));
    expect(Math.min(...out)).toBeCloseTo(-127.5 / 128, 6);
    expect(Math.max(...out)).toBeCloseTo(127.5 / 128, 6);
  });

  it('packs several crops one after another (NHWC)', () => {
    const out = cropsToInput([crop(2), crop(2, 100)], { ...rgb, mean: 0, std: 1 });
    expect(out.length).toBe(2 * 2 * 2 * 3);
    expect(Array.from(out.subarray(12))).toEqual([
      101, 102, 103, 111, 112, 113, 121, 122, 123, 131, 132, 133,
    ]);
  });

  it('returns an empty array for no crops', () => {
    expect(cropsToInput([], rgb).length).toBe(0);
  });

  it('throws on a crop of the wrong size', () => {
    expect(() => cropsToInput([crop(3)], rgb)).toThrow('crop is 3x3, the model needs 2x2');
    const wide: CropPixels = { data: new Uint8Array(3 * 2 * 4), width: 3, height: 2 };
    expect(() => cropsToInput([crop(2), wide], rgb)).toThrow(/3x2/);
  });
});

describe('inputTensor', () => {
  it('builds an NHWC tensor with the same values', () => {
    const input = { ...bgr, mean: 1, std: 2 };
    const t = inputTensor([crop(2), crop(2, 50)], input);
    expect(t.shape).toEqual([2, 2, 2, 3]);
    expect(t.dtype).toBe('float32');
    expect(Array.from(t.dataSync())).toEqual(
      Array.from(cropsToInput([crop(2), crop(2, 50)], input)),
    );
    t.dispose();
  });
});
