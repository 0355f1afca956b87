import { pickBackend, registerBrowserBackends, type ProbeResult } from './backend';
import { Embedder } from './embedder';
import { ModelFileError, type ModelManifest } from './manifest';
import type { CropPixels } from './preprocess';

/**
 * The backbone as the app uses it: model files fetched from the app itself (precached by the
 * service worker), checked against the manifest, backend chosen by a short probe.
 */
export class FaceEngine {
  private constructor(
    readonly embedder: Embedder,
    readonly backend: string,
    readonly probes: ProbeResult[],
  ) {}

  get manifest(): ModelManifest {
    return this.embedder.manifest;
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
    const { chosen, results } = await pickBackend(() => embedder.embed([probeCrop]));
    return new FaceEngine(embedder, chosen, results);
  }

  async embed(crop: CropPixels): Promise<Float32Array> {
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
