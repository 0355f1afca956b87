/**
 * @vladmandic/human (MIT) in Node, on the same tfjs-core and wasm backend as the other scripts, for
 * measuring its two texture models (antispoof.json, liveness.json) the way Human itself runs them.
 *
 * What Human 3.3.6 does (src/face/facemesh.ts, facemeshutil.ts, antispoof.ts, liveness.ts):
 * - BlazeFace box, enlarged 1.4x about its centre (config.face.detector.scale) and made square
 *   (the longer side), cut from the frame with tf.image.cropAndResize to the mesh model's input
 *   (192x192, bilinear; outside the frame reads as 0, black) and divided by 255: RGB in [0, 1].
 * - antispoof: that crop resized (resizeBilinear) to 128x128, one sigmoid output; Human reports it
 *   as `face.real` (higher = real). Trained on Kaggle's "real and fake face detection" set.
 * - liveness: the same crop resized to 32x32, a 2-way softmax; Human reports output [0] as
 *   `face.live` (higher = live). LivenessNet (github.com/leokwu/livenessnet).
 * Human rounds both to 2 decimals and caches them across frames; here the detector returns the
 * crop (detector.return) and the two models run on it directly, unrounded, on every frame
 * (cacheSensitivity 0: no frame is skipped, BlazeFace runs on each).
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';

const ROOT = resolve(import.meta.dirname, '../..');
export const HUMAN_MODELS = resolve(ROOT, 'node_modules/@vladmandic/human/models');
/** Human's package.json `exports` keys lack the './' Node needs, so the file is named directly. */
const HUMAN_NODE_WASM = resolve(ROOT, 'node_modules/@vladmandic/human/dist/human.node-wasm.js');

type Tf = typeof tfTypes;
type IOHandler = tfTypes.io.IOHandler;

interface WeightsGroup {
  paths: string[];
  weights: tfTypes.io.WeightsManifestEntry[];
}

/** A tfjs load router for file:// URLs of graph-model JSON (tfjs-core has none without tfjs-node). */
export function registerFileLoader(tf: Tf): void {
  tf.io.registerLoadRouter((url) => {
    const u = Array.isArray(url) ? url[0] : url;
    // tfjs asks every router and skips the ones that answer null (its type says IOHandler).
    if (typeof u !== 'string' || !u.startsWith('file://')) return null as unknown as IOHandler;
    const path = u.slice('file://'.length);
    return {
      load: () => {
        const json = JSON.parse(readFileSync(path, 'utf8')) as {
          modelTopology: object;
          weightsManifest: WeightsGroup[];
          format?: string;
          generatedBy?: string;
          convertedBy?: string;
        };
        const base = dirname(path);
        const specs = json.weightsManifest.flatMap((g) => g.weights);
        const bytes = Buffer.concat(
          json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(resolve(base, p)))),
        );
        const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
        return Promise.resolve({
          modelTopology: json.modelTopology,
          weightSpecs: specs,
          weightData,
          ...(json.format ? { format: json.format } : {}),
          ...(json.generatedBy ? { generatedBy: json.generatedBy } : {}),
          ...(json.convertedBy ? { convertedBy: json.convertedBy } : {}),
        });
      },
    };
  });
}

/** The part of Human's result this file reads (its own .d.ts types tensors from its bundle). */
export interface HumanFace {
  box: [number, number, number, number];
  boxScore: number;
  faceScore: number;
  score: number;
  /** The 192x192x3 crop in [0, 1] (detector.return). */
  tensor?: tfTypes.Tensor3D | null;
}
interface HumanInstance {
  load(): Promise<void>;
  detect(input: tfTypes.Tensor3D): Promise<{ face: HumanFace[]; error?: string | null }>;
}
interface HumanModule {
  Human: new (config: object) => HumanInstance;
}

/** Human with the face detector and mesh only (its crop box follows the detector, as shipped). */
export async function startHuman(): Promise<HumanInstance> {
  const require = createRequire(import.meta.url);
  const { Human } = require(HUMAN_NODE_WASM) as HumanModule;
  const human = new Human({
    backend: 'wasm',
    modelBasePath: `file://${HUMAN_MODELS}/`,
    cacheSensitivity: 0,
    debug: false,
    face: {
      enabled: true,
      detector: { rotation: false, return: true, maxDetected: 1 },
      mesh: { enabled: true },
      iris: { enabled: false },
      attention: { enabled: false },
      emotion: { enabled: false },
      description: { enabled: false },
      antispoof: { enabled: false },
      liveness: { enabled: false },
    },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
    filter: { enabled: false },
  });
  await human.load();
  return human;
}

export interface TextureModels {
  antispoof: GraphModel;
  liveness: GraphModel;
}

export async function loadTextureModels(dir = HUMAN_MODELS): Promise<TextureModels> {
  const [antispoof, liveness] = await Promise.all([
    loadGraphModel(`file://${dir}/antispoof.json`),
    loadGraphModel(`file://${dir}/liveness.json`),
  ]);
  return { antispoof, liveness };
}

/**
 * Both scores of one Human face crop (HxWx3 in [0, 1]), as Human computes them: bilinear resize
 * to the model's input, then antispoof's sigmoid and liveness's softmax[0] (both: higher = live).
 */
export async function scoreCrop(
  tf: Tf,
  models: TextureModels,
  crop: tfTypes.Tensor3D,
): Promise<{ antispoof: number; liveness: number }> {
  const outputs = tf.tidy(() => {
    const batch = tf.expandDims<tfTypes.Tensor4D>(crop, 0);
    const a = models.antispoof.execute(tf.image.resizeBilinear(batch, [128, 128], false));
    const l = models.liveness.execute(tf.image.resizeBilinear(batch, [32, 32], false));
    return [a as tfTypes.Tensor, l as tfTypes.Tensor];
  });
  const [a, l] = await Promise.all(outputs.map((t) => t.data()));
  tf.dispose(outputs);
  return { antispoof: a?.[0] ?? Number.NaN, liveness: l?.[0] ?? Number.NaN };
}
