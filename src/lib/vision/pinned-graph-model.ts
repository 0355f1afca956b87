import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { fetchModelFile } from '../embedding/model-fetch';
import { backendSettled, withBackendLock } from '../embedding/backend';

/** A model file the app ships, pinned by size and hash. */
export interface PinnedFile {
  name: string;
  bytes: number;
  sha256: string;
}

interface ModelJson {
  modelTopology: object;
  weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
}

/** A graph model on the tfjs backend in use. */
export interface PinnedGraphModel {
  /** The model on the current backend: its weights live on one, so after a switch (a lost GPU) it loads again. */
  current(): Promise<GraphModel>;
  dispose(): void;
}

/**
 * A tfjs graph model from its two pinned files (model.json, weights) under `dir` of `base`,
 * fetched and checked once. Every failure is thrown as `fail(message, cause)`; `what` names the
 * model in the messages ("face landmark model").
 */
export async function loadPinnedGraphModel(
  base: URL,
  dir: string,
  [jsonFile, binFile]: readonly [PinnedFile, PinnedFile],
  what: string,
  fail: (message: string, cause: unknown) => Error,
): Promise<PinnedGraphModel> {
  const fetchPinned = async (file: PinnedFile): Promise<ArrayBuffer> => {
    try {
      return await fetchModelFile(
        new URL(dir + file.name, base).href,
        { path: file.name, bytes: file.bytes, sha256: file.sha256 },
        { what },
      );
    } catch (cause) {
      throw fail(cause instanceof Error ? cause.message : String(cause), cause);
    }
  };
  const [jsonBytes, weightBytes] = await Promise.all([fetchPinned(jsonFile), fetchPinned(binFile)]);
  const load = async (): Promise<GraphModel> => {
    try {
      const json = JSON.parse(new TextDecoder().decode(jsonBytes)) as ModelJson;
      return await withBackendLock(() =>
        loadGraphModel(
          tf.io.fromMemory({
            modelTopology: json.modelTopology,
            weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
            weightData: weightBytes,
          }),
        ),
      );
    } catch (cause) {
      throw fail(`The ${what} could not start: ${String(cause)}`, cause);
    }
  };
  let model = await load();
  let loadedOn = tf.getBackend();
  return {
    async current() {
      await backendSettled();
      if (tf.getBackend() !== loadedOn) {
        loadedOn = tf.getBackend();
        model = await load();
      }
      return model;
    },
    dispose() {
      model.dispose();
    },
  };
}
