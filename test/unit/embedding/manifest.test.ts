/// <reference types="node" />
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
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
  return bytes.slice().buffer as ArrayBuffer;
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
