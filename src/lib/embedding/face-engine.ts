import * as tf from '@tensorflow/tfjs-core';
import {
  BACKENDS,
  pickBackend,
  registerBrowserBackends,
  withBackendLock,
  type BackendName,
  type ProbeResult,
} from './backend';
import { Embedder, type FetchBytes } from './embedder';
import { ModelFileError, type ModelManifest } from './manifest';
import type { CropPixels } from './preprocess';

/**
 * The backbone as the app uses it: model files fetched from the app itself (precached by the
 * service worker), checked against the manifest, backend chosen by a short probe.
 */
export class FaceEngine {
  private constructor(
    private embedder: Embedder,
    private loadedOn: BackendName,
    readonly probes: ProbeResult[],
    private readonly fetchBytes: FetchBytes,
  ) {}

  get manifest(): ModelManifest {
    return this.embedder.manifest;
  }

  /** The backend the weights live on (changes if a lost GPU sent the page to another one). */
  get backend(): BackendName {
    return this.loadedOn;
  }

  /**
   * `?backend=webgl` (or webgpu, wasm, cpu) in the page's address skips the probe and uses that
   * one: a diagnostic, and how the e2e suite puts the app on a GPU backend it can then lose.
   */
  static forcedBackend(): BackendName | null {
    const asked = new URLSearchParams(globalThis.location?.search ?? '').get('backend');
    return (BACKENDS as readonly string[]).includes(asked ?? '') ? (asked as BackendName) : null;
  }

  static async load(baseUrl: string): Promise<FaceEngine> {
    const base = new URL(baseUrl, location.href);
    const { manifest, fetchBytes } = await loadManifest(baseUrl);
    await registerBrowserBackends(new URL('tfjs/', base).href);
    const embedder = await Embedder.load(manifest, fetchBytes);
    const size = manifest.input.size;
    const probeCrop: CropPixels = {
      data: new Uint8ClampedArray(size * size * 4).fill(128),
      width: size,
      height: size,
    };
    const forced = FaceEngine.forcedBackend();
    const { chosen, results } = await pickBackend(
      () => embedder.embed([probeCrop]),
      forced ? [forced] : undefined,
    );
    return new FaceEngine(embedder, chosen, results, fetchBytes);
  }

  async embed(crop: CropPixels): Promise<Float32Array> {
    // Weights live on one backend; after a switch (a lost GPU) they are loaded on the new one.
    const current = tf.getBackend() as BackendName;
    if (current !== this.loadedOn) {
      this.embedder = await withBackendLock(() =>
        Embedder.load(this.embedder.manifest, this.fetchBytes),
      );
      this.loadedOn = current;
    }
    const [e] = await this.embedder.embed([crop]);
    if (!e) throw new Error('the model returned no embedding');
    return e;
  }
}

/**
 * The model manifest and a reader for the files it lists, fetched from the app itself (precached
 * by the service worker). Works in the page and in a worker.
 */
export async function loadManifest(
  baseUrl: string,
): Promise<{ manifest: ModelManifest; fetchBytes: (path: string) => Promise<ArrayBuffer> }> {
  const base = new URL(baseUrl, location.href);
  const fetchBytes = async (path: string) => {
    const url = new URL(`models/${path}`, base).href;
    let response: Response;
    try {
      response = await fetch(url);
    } catch (cause) {
      throw new ModelFileError(`Could not load the face model (${path}): ${String(cause)}`);
    }
    if (!response.ok) {
      throw new ModelFileError(`Could not load the face model (${path}): HTTP ${response.status}`);
    }
    return response.arrayBuffer();
  };
  let manifest: ModelManifest;
  try {
    manifest = JSON.parse(
      new TextDecoder().decode(await fetchBytes('manifest.json')),
    ) as ModelManifest;
  } catch (error) {
    if (error instanceof ModelFileError) throw error;
    throw new ModelFileError(
      'The face model description (manifest.json) is damaged. Reload the page.',
    );
  }
  return { manifest, fetchBytes };
}
