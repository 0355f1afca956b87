/// <reference types="node" />
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  fetchListedFile,
  fetchManifest,
  ModelFileError,
  verifyFile,
  type ModelManifest,
} from '../../../src/lib/embedding/manifest';

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const weights = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37 + 11) & 0xff);
const graph = new TextEncoder().encode('{"spec":{},"weights":[]}');

function toBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer;
}

const manifest = {
  id: 'test',
  format: 'facegate-graph-1',
  files: [
    { path: 'weights.bin', bytes: weights.byteLength, sha256: sha256(weights) },
    { path: 'graph.json', bytes: graph.byteLength, sha256: sha256(graph) },
  ],
  graph: 'graph.json',
  weights: 'weights.bin',
} as unknown as ModelManifest;

describe('verifyFile', () => {
  it('accepts bytes that match the manifest', async () => {
    await expect(verifyFile(manifest, 'weights.bin', toBuffer(weights))).resolves.toBeUndefined();
    await expect(verifyFile(manifest, 'graph.json', toBuffer(graph))).resolves.toBeUndefined();
  });

  it('rejects a changed byte as damaged or altered', async () => {
    const changed = weights.slice();
    changed[500] = (changed[500] ?? 0) ^ 1;
    const result = verifyFile(manifest, 'weights.bin', toBuffer(changed));
    await expect(result).rejects.toBeInstanceOf(ModelFileError);
    await expect(verifyFile(manifest, 'weights.bin', toBuffer(changed))).rejects.toThrow(
      /weights\.bin is damaged or was altered/,
    );
  });

  it('rejects the right bytes under another listed path', async () => {
    await expect(verifyFile(manifest, 'graph.json', toBuffer(weights))).rejects.toThrow(/damaged/);
  });

  it('rejects a wrong length before hashing', async () => {
    await expect(
      verifyFile(manifest, 'weights.bin', toBuffer(weights.subarray(0, 999))),
    ).rejects.toThrow(/weights\.bin is damaged \(999 bytes, expected 1000\)/);
    const longer = new Uint8Array(1001);
    longer.set(weights);
    await expect(verifyFile(manifest, 'weights.bin', toBuffer(longer))).rejects.toBeInstanceOf(
      ModelFileError,
    );
  });

  it('rejects a path the manifest does not list', async () => {
    const err = await verifyFile(manifest, 'other.bin', toBuffer(weights)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFileError);
    expect((err as Error).name).toBe('ModelFileError');
    expect((err as Error).message).toMatch(/does not list other\.bin/);
  });
});

describe('fetchManifest and fetchListedFile', () => {
  const shipped = readFileSync(resolve(__dirname, '../../../models/manifest.json'), 'utf8');
  const serve = (files: Record<string, string | Uint8Array>) => {
    const asked: string[] = [];
    const fetch = (url: string) => {
      asked.push(url);
      const file = files[url];
      return Promise.resolve(
        file === undefined
          ? new Response('not found', { status: 404 })
          : new Response(typeof file === 'string' ? file : file.slice()),
      );
    };
    return { fetch, asked };
  };

  it('reads manifest.json under the models folder and validates it', async () => {
    const { fetch, asked } = serve({ 'https://app.test/x/models/manifest.json': shipped });
    const m = await fetchManifest('https://app.test/x/models/', { fetch });
    expect(m.files.length).toBeGreaterThan(0);
    expect(asked).toEqual(['https://app.test/x/models/manifest.json']);
  });

  it('refuses a manifest with a field missing', async () => {
    const broken = JSON.parse(shipped) as Record<string, unknown>;
    delete broken.thresholds;
    const { fetch } = serve({ 'https://app.test/models/manifest.json': JSON.stringify(broken) });
    const result = fetchManifest('https://app.test/models/', { fetch });
    await expect(result).rejects.toBeInstanceOf(ModelFileError);
    await expect(fetchManifest('https://app.test/models/', { fetch })).rejects.toThrow(
      /thresholds is missing/,
    );
  });

  it('fetches a listed file from the models folder and checks it against its entry', async () => {
    const { fetch, asked } = serve({ 'https://app.test/models/weights.bin': weights });
    const bytes = await fetchListedFile('https://app.test/models/', manifest, 'weights.bin', {
      fetch,
    });
    expect(new Uint8Array(bytes)).toEqual(weights);
    expect(asked).toEqual(['https://app.test/models/weights.bin']);
    await expect(
      fetchListedFile('https://app.test/models/', manifest, 'graph.json', {
        fetch: serve({ 'https://app.test/models/graph.json': weights }).fetch,
      }),
    ).rejects.toThrow(/graph\.json is damaged/);
  });

  it('asks for nothing the manifest does not list', async () => {
    const { fetch, asked } = serve({});
    await expect(
      fetchListedFile('https://app.test/models/', manifest, 'other.bin', { fetch }),
    ).rejects.toThrow(/does not list other\.bin/);
    expect(asked).toEqual([]);
  });
});
