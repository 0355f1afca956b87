import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  TEXTURE_MODEL_FILES,
  textureCropBox,
  textureScoreTensor,
} from '../../../src/lib/vision/texture-model';

const MODELS = resolve(import.meta.dirname, '../../../node_modules/@vladmandic/human/models');
let model: GraphModel;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const json = JSON.parse(readFileSync(resolve(MODELS, 'liveness.json'), 'utf8')) as {
    modelTopology: object;
    weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
  };
  const bin = readFileSync(resolve(MODELS, 'liveness.bin'));
  model = await loadGraphModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length),
    }),
  );
});

describe('texture model files', () => {
  it('pins the bytes of the installed @vladmandic/human models', () => {
    for (const file of TEXTURE_MODEL_FILES) {
      const bytes = readFileSync(resolve(MODELS, file.name));
      expect(bytes.length).toBe(file.bytes);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(file.sha256);
    }
  });
});

describe('textureCropBox', () => {
  it("enlarges the box 1.4x about its centre and squares it on the longer side, as Human's", () => {
    // Centre (150, 90), longer side 100 -> a 140 px square from (80, 20) to (220, 160).
    const box = textureCropBox({ x: 100, y: 50, width: 100, height: 80 }, 400, 300);
    expect(box).toEqual([20 / 300, 80 / 400, 160 / 300, 220 / 400]);
  });
});

describe('textureScoreTensor', () => {
  it('scores as the evaluation does: the 192 px crop /255, resized to 32, softmax[0]', async () => {
    const frame = tf.randomUniform<tf.Rank.R3>([120, 160, 3], 0, 255, 'float32', 7);
    const box = { x: 50, y: 30, width: 60, height: 60 };
    const score = textureScoreTensor(model, frame, box);
    // The evaluation's path (scripts/lib/human-node.ts scoreCrop) on Human's 192 px crop.
    const expected = tf.tidy(() => {
      const crop = tf.div<tf.Tensor4D>(
        tf.image.cropAndResize(
          tf.expandDims<tf.Tensor4D>(frame, 0),
          [textureCropBox(box, 160, 120)],
          [0],
          [192, 192],
        ),
        255,
      );
      return model.execute(tf.image.resizeBilinear(crop, [32, 32], false)) as tf.Tensor;
    });
    const [s, e] = await Promise.all([score.data(), expected.data()]);
    expect(score.shape).toEqual([1]);
    expect(s[0]).toBeGreaterThanOrEqual(0);
    expect(s[0]).toBeLessThanOrEqual(1);
    expect(s[0]).toBeCloseTo(e[0]!, 6);
    // Two classes that sum to 1.
    expect(e[0]! + e[1]!).toBeCloseTo(1, 5);
    tf.dispose([frame, score, expected]);
  });
});
