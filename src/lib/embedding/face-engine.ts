import * as tf from '@tensorflow/tfjs-core';
import {
  pickBackend,
  PROBE_ORDER,
  registerBrowserBackends,
  useBackend,
  withBackendLock,
  type BackendName,
  type ProbeResult,
} from './backend';
import { Embedder, type FetchBytes } from './embedder';
import { fetchManifest, type ModelManifest } from './manifest';
import { fetchModelFile } from './model-fetch';
import type { CropPixels } from './preprocess';

export interface EngineLoadOptions {
  /** Skip the probe and use this backend (`?backend=` in the page's address). */
  forced: BackendName | null;
  /** An earlier probe's result on this device (backend-choice.ts); null: probe now. */
  remembered: { backend: BackendName; probes: ProbeResult[] } | null;
  onProbed?: (done: number, total: number) => void;
}

/**
 * The backbone as the frame pipeline uses it: model files fetched from the app itself (precached
 * by the service worker), checked against the manifest, backend chosen by a probe or a remembered
 * probe.
 */
export class FaceEngine {
  private constructor(
    private embedder: Embedder,
    private loadedOn: BackendName,
    readonly probes: ProbeResult[],
    /** Whether the backend came from an earlier probe (no probe ran now). */
    readonly remembered: boolean,
    private readonly fetchBytes: FetchBytes,
  ) {}

  get manifest(): ModelManifest {
    return this.embedder.manifest;
  }

  /** The backend the weights live on (changes if a lost GPU sent the page to another one). */
  get backend(): BackendName {
    return this.loadedOn;
  }

  static async load(
    baseUrl: string,
    loaded: { manifest: ModelManifest; fetchBytes: FetchBytes },
    options: EngineLoadOptions,
  ): Promise<FaceEngine> {
    const base = new URL(baseUrl, location.href);
    const { manifest, fetchBytes } = loaded;
    await registerBrowserBackends(new URL('tfjs/', base).href);
    const embedder = await Embedder.load(manifest, fetchBytes);
    const size = manifest.input.size;
    const probeCrop: CropPixels = {
      data: new Uint8ClampedArray(size * size * 4).fill(128),
      width: size,
      height: size,
    };
    // Timed as frames are embedded: the crop and its mirror in one batch.
    const probe = () => embedder.embed([probeCrop], true);
    const fixed = options.forced ?? options.remembered?.backend ?? null;
    if (fixed && (await useBackend(fixed))) {
      // The warm-up the probe would have done (wasm start, shader compilation).
      await probe();
      const probes = options.forced
        ? [{ backend: fixed, ok: true }]
        : (options.remembered?.probes ?? []);
      return new FaceEngine(embedder, fixed, probes, options.forced === null, fetchBytes);
    }
    const { chosen, results } = await pickBackend(probe, PROBE_ORDER, 3, options.onProbed);
    return new FaceEngine(embedder, chosen, results, false, fetchBytes);
  }

  /** Frees the weights (a re-probe loads them again). */
  dispose(): void {
    this.embedder.dispose();
  }

  /** Unit-length embedding of an aligned crop; `flip` adds its mirror image (enrollment). */
  async embed(crop: CropPixels, flip: boolean): Promise<Float32Array> {
    // Weights live on one backend; after a switch (a lost GPU) they are loaded on the new one.
    const current = tf.getBackend() as BackendName;
    if (current !== this.loadedOn) {
      this.embedder = await withBackendLock(() =>
        Embedder.load(this.embedder.manifest, this.fetchBytes),
      );
      this.loadedOn = current;
    }
    const [e] = await this.embedder.embed([crop], flip);
    if (!e) throw new Error('the model returned no embedding');
    return e;
  }
}

/**
 * The model manifest (validated field by field) and a reader for the files it lists, fetched from
 * the app itself (precached by the service worker). Works in the page and in a worker.
 */
export async function loadManifest(
  baseUrl: string,
): Promise<{ manifest: ModelManifest; fetchBytes: (path: string) => Promise<ArrayBuffer> }> {
  const models = new URL('models/', new URL(baseUrl, location.href));
  const manifest = await fetchManifest(models);
  // Embedder.load checks the graph and weights against the manifest itself.
  const fetchBytes = (path: string) => fetchModelFile(new URL(path, models).href, null);
  return { manifest, fetchBytes };
}
