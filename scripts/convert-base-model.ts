/**
 * Converts the starting network (see scripts/lib/base-model.ts) into our graph format, unchanged:
 *
 *   npm run convert-base-model -- [--out .cache/models/base] [--dtype float32|float16]
 *
 * The result is the "before fine-tuning" model the experiments and scripts/train start from.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readFlags } from './lib/cli.ts';
import { parseOnnx } from './lib/onnx.ts';
import { onnxToGraph } from './lib/onnx-to-graph.ts';
import { BASE_MODEL_SHA256, BASE_PACKAGE, baseModelPath } from './lib/base-model.ts';
import { writeModel } from './lib/model-files.ts';
import { ALIGNMENT_DESCRIPTION } from '../src/lib/vision/front-end-version.ts';
import type { ModelManifest } from '../src/lib/embedding/manifest.ts';

export const BASE_INPUT: ModelManifest['input'] = {
  size: 112,
  // MODELS.md measured BGR 99.10 vs RGB 98.67 with this network: it was trained on BGR (OpenCV) input.
  colorOrder: 'BGR',
  mean: 127.5,
  std: 128,
  alignment: ALIGNMENT_DESCRIPTION,
};

export function convertBase(out: string, dtype: 'float16' | 'float32') {
  const onnx = parseOnnx(readFileSync(baseModelPath()));
  const { spec, weights } = onnxToGraph(onnx);
  return writeModel(out, spec, weights, dtype, {
    id: `base-fr_feature-${dtype}`,
    input: BASE_INPUT,
    embedding: { dim: 512, normalized: true, flipAugment: false },
    loss: { type: 'unknown (as shipped by the package)', s: 0, m: 0 },
    training: { note: 'unchanged pretrained weights' },
    accuracy: {},
    thresholds: { 'far_1e-3': 1, 'far_1e-4': 1, 'far_1e-5': 1, note: 'not calibrated' },
    source: {
      package: BASE_PACKAGE,
      file: 'model/fr_feature.onnx',
      licence: 'MIT',
      sha256: BASE_MODEL_SHA256,
    },
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const flags = readFlags(
    'npm run convert-base-model -- [--out .cache/models/base] [--dtype float32|float16]',
    {
      out: { type: 'string', default: '.cache/models/base' },
      dtype: { type: 'string', default: 'float32' },
    },
  );
  const dtype = flags.dtype === 'float16' ? 'float16' : 'float32';
  const manifest = convertBase(resolve(flags.out), dtype);
  console.log(JSON.stringify(manifest.files));
}
