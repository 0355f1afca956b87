/// <reference types="node" />
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  addMetadata,
  blazeFaceMetadataSpec,
  buildModelMetadata,
  METADATA_NAME,
  patchBlazeFaceModel,
  readBufferData,
  readEmbeddedModelMetadata,
  readModelMetadata,
  readTfliteSummary,
  TfliteFormatError,
  type ModelMetadataSpec,
} from '../../scripts/add-tflite-metadata';

const ROOT = resolve(import.meta.dirname, '../..');
const MODEL_PATH = join(
  ROOT,
  'node_modules/@mediapipe/face_detection/face_detection_short_range.tflite',
);
const original = new Uint8Array(readFileSync(MODEL_PATH));
const patched = patchBlazeFaceModel(original, 'short_range.tflite');

function ascii(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}

/** Deterministic noise so a failure is reproducible. */
function noise(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** toEqual on 200 KB typed arrays is slow; a byte compare keeps the suite fast. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

function embeddedMetadataBytes(model: Uint8Array): Uint8Array {
  const entry = readTfliteSummary(model).metadata.find((m) => m.name === METADATA_NAME);
  if (entry === undefined) throw new Error('no TFLITE_METADATA entry');
  return readBufferData(model, entry.buffer);
}

describe('patching the BlazeFace short-range model', () => {
  const before = readTfliteSummary(original);
  const after = readTfliteSummary(patched);

  it('keeps the graph and adds exactly one buffer plus a TFLITE_METADATA entry', () => {
    expect(before.metadata.map((m) => m.name)).not.toContain(METADATA_NAME);
    expect(after.version).toBe(before.version);
    expect(after.description).toBe(before.description);
    expect(after.operatorCodeCount).toBe(before.operatorCodeCount);
    expect(after.subgraphs).toEqual(before.subgraphs);
    expect(after.bufferCount).toBe(before.bufferCount + 1);
    expect(after.metadata).toEqual([
      ...before.metadata,
      { name: METADATA_NAME, buffer: before.bufferCount },
    ]);
  });

  it('embeds ModelMetadata (M001) with RGB image input normalised by 127.5/127.5', () => {
    const bytes = embeddedMetadataBytes(patched);
    expect(ascii(bytes.subarray(4, 8))).toBe('M001');
    const meta = readModelMetadata(bytes);
    expect(meta.name).toBe('BlazeFace short-range');
    expect(meta.minParserVersion).toBe('1.0.0');
    expect(meta.subgraphs).toHaveLength(1);
    const [input] = meta.subgraphs[0]?.inputs ?? [];
    expect(input?.name).toBe('image');
    expect(input?.image?.colorSpace).toBe('RGB');
    expect(input?.image?.defaultSize).toEqual({ width: 128, height: 128 });
    expect(input?.normalization).toEqual({ mean: [127.5], std: [127.5] });
    expect(input?.stats).toEqual({ max: [1], min: [-1] });
    expect(meta.subgraphs[0]?.outputs.map((o) => o.name)).toEqual(['regressors', 'classificators']);
    expect(readEmbeddedModelMetadata(patched)).toEqual(meta);
    expect(readEmbeddedModelMetadata(original)).toBeNull();
  });

  it('leaves every original buffer byte-identical and equally aligned', () => {
    for (let i = 0; i < before.bufferCount; i++) {
      const a = readBufferData(original, i);
      const b = readBufferData(patched, i);
      expect(sameBytes(b, a), `buffer ${i}`).toBe(true);
      // Alignment of weights relative to the file start must not change.
      expect(b.byteOffset % 16).toBe(a.byteOffset % 16);
    }
    expect(readBufferData(patched, before.bufferCount).byteOffset % 16).toBe(0);
  });

  it('is deterministic', () => {
    const again = patchBlazeFaceModel(new Uint8Array(original), 'copy');
    expect(sameBytes(again, patched)).toBe(true);
    expect(buildModelMetadata(blazeFaceMetadataSpec(before))).toEqual(
      embeddedMetadataBytes(patched),
    );
  });

  it('round-trips a metadata spec', () => {
    const spec: ModelMetadataSpec = {
      name: 'n',
      description: 'd',
      version: 'v1',
      author: 'a',
      license: 'l',
      minParserVersion: '1.0.0',
      subgraphs: [
        {
          name: 'main',
          inputs: [
            {
              name: 'in',
              image: { colorSpace: 'GRAYSCALE' },
              normalization: { mean: [0.5, 1.5, 2.5], std: [2, 4, 8] },
            },
          ],
          outputs: [{ name: 'out', description: 'scores', stats: { max: [1], min: [0] } }],
        },
      ],
    };
    expect(readModelMetadata(buildModelMetadata(spec))).toEqual(spec);
  });
});

describe('re-patching', () => {
  it('replaces the existing TFLITE_METADATA instead of adding a second one', () => {
    const twice = patchBlazeFaceModel(patched, 'patched');
    const once = readTfliteSummary(patched);
    const summary = readTfliteSummary(twice);
    expect(summary.bufferCount).toBe(once.bufferCount);
    expect(summary.metadata).toEqual(once.metadata);
    expect(readEmbeddedModelMetadata(twice)).toEqual(readEmbeddedModelMetadata(patched));

    const other = buildModelMetadata({ name: 'other', subgraphs: [] });
    const replaced = addMetadata(patched, other, 'patched');
    expect(readTfliteSummary(replaced).metadata).toEqual(once.metadata);
    expect(readEmbeddedModelMetadata(replaced)?.name).toBe('other');
    for (let i = 0; i < once.bufferCount - 1; i++) {
      expect(sameBytes(readBufferData(replaced, i), readBufferData(original, i))).toBe(true);
    }
  });
});

describe('bad input', () => {
  const jpegHeader = new Uint8Array([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
    0x00, 0x01, 0x00, 0x00,
  ]);
  const corruptRoot = new Uint8Array(original);
  new DataView(corruptRoot.buffer).setUint32(0, 0x7fff_fff0, true);

  const cases: [string, Uint8Array, RegExp][] = [
    ['empty', new Uint8Array(0), /too short/],
    ['random bytes', noise(4096, 7), /not a TFLite model.*"TFL3"/],
    ['a JPEG header', jpegHeader, /not a TFLite model/],
    ['a truncated model', original.subarray(0, 100_000), /outside .*truncated or corrupt/],
    ['a model cut after its header', original.subarray(0, 64), /outside .*truncated or corrupt/],
    ['a root offset past the end', corruptRoot, /outside .*truncated or corrupt/],
  ];

  it.each(cases)('rejects %s with a clear error naming the file', (_, bytes, message) => {
    expect(() => patchBlazeFaceModel(bytes, 'bad.tflite')).toThrow(TfliteFormatError);
    expect(() => patchBlazeFaceModel(bytes, 'bad.tflite')).toThrow(/^bad\.tflite: /);
    expect(() => readTfliteSummary(bytes, 'bad.tflite')).toThrow(message);
  });

  it('refuses to embed metadata that is not an M001 flatbuffer', () => {
    expect(() => addMetadata(original, noise(256, 3))).toThrow(/not a TFLite ModelMetadata/);
    expect(() => addMetadata(original, patched)).toThrow(/expected "M001"/);
  });

  describe('CLI', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tflite-metadata-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('exits non-zero and names the file', () => {
      const bad = join(dir, 'garbage.tflite');
      writeFileSync(bad, jpegHeader);
      let failure: { status: number | null; stderr: string } | undefined;
      try {
        execFileSync(
          process.execPath,
          [
            '--import',
            'tsx',
            join(ROOT, 'scripts/add-tflite-metadata.ts'),
            '--in',
            bad,
            '--out',
            join(dir, 'out.tflite'),
          ],
          { cwd: ROOT, stdio: 'pipe', encoding: 'utf8' },
        );
      } catch (err) {
        failure = err as { status: number | null; stderr: string };
      }
      expect(failure?.status).toBe(1);
      expect(failure?.stderr).toContain('garbage.tflite');
      expect(failure?.stderr).toMatch(/not a TFLite model/);
    });
  });
});
