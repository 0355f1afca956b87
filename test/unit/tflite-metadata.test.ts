/// <reference types="node" />
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  blazeFaceMetadata,
  INPUT_SHA256,
  METADATA_NAME,
  OUTPUT_SHA256,
  patchBlazeFaceModel,
  sha256,
} from '../../scripts/add-tflite-metadata';

const ROOT = resolve(import.meta.dirname, '../..');
const MODEL_PATH = join(
  ROOT,
  'node_modules/@mediapipe/face_detection/face_detection_short_range.tflite',
);
const original = new Uint8Array(readFileSync(MODEL_PATH));
const patched = patchBlazeFaceModel(original, 'short_range.tflite');

/** Where `part` starts in `whole`, or -1. */
function indexOf(whole: Uint8Array, part: Uint8Array): number {
  return Buffer.from(whole.buffer, whole.byteOffset, whole.byteLength).indexOf(part);
}

const ascii = (s: string) => new TextEncoder().encode(s);

function runCli(args: string[]): { status: number | null; stderr: string } {
  try {
    execFileSync(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'scripts/add-tflite-metadata.ts'), ...args],
      { cwd: ROOT, stdio: 'pipe', encoding: 'utf8' },
    );
    return { status: 0, stderr: '' };
  } catch (err) {
    return err as { status: number | null; stderr: string };
  }
}

describe('patching the pinned BlazeFace short-range model', () => {
  it('starts from the pinned input and makes the pinned output', () => {
    expect(sha256(original)).toBe(INPUT_SHA256);
    expect(sha256(patched)).toBe(OUTPUT_SHA256);
  });

  it('appends the original file verbatim, 16-byte aligned, after a new TFL3 head', () => {
    expect(String.fromCharCode(...patched.subarray(4, 8))).toBe('TFL3');
    const at = indexOf(patched, original);
    expect(at).toBeGreaterThan(0);
    expect(at % 16).toBe(0);
    // The original is the first object the builder wrote (back to front): only its padding follows.
    expect(patched.length - (at + original.length)).toBeLessThan(16);
  });

  it('embeds the M001 metadata: RGB image input, normalised by 127.5/127.5', () => {
    const metadata = blazeFaceMetadata();
    expect(String.fromCharCode(...metadata.subarray(4, 8))).toBe('M001');
    const at = indexOf(patched, metadata);
    expect(at).toBeGreaterThan(0);
    expect(at % 16).toBe(0);
    expect(indexOf(patched.subarray(0, at), ascii(METADATA_NAME))).toBeGreaterThan(0);
    for (const name of ['image', 'regressors', 'classificators', '1.0.0']) {
      expect(indexOf(metadata, ascii(name)), name).toBeGreaterThan(0);
    }
    const halfRange = new Uint8Array(Float32Array.of(127.5).buffer);
    expect(indexOf(metadata, halfRange)).toBeGreaterThan(0);
  });

  it('is deterministic', () => {
    expect(Buffer.compare(patchBlazeFaceModel(new Uint8Array(original), 'copy'), patched)).toBe(0);
  });
});

describe('other input', () => {
  it('is refused with the file name and the pinned hash', () => {
    const changed = new Uint8Array(original);
    changed[1000] = (changed[1000] ?? 0) ^ 1;
    for (const bytes of [changed, new Uint8Array(0), original.subarray(0, 1000)]) {
      expect(() => patchBlazeFaceModel(bytes, 'other.tflite')).toThrow(
        new RegExp(`^other\\.tflite: sha256 [0-9a-f]{64} is not the pinned ${INPUT_SHA256}`),
      );
    }
  });

  describe('CLI', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tflite-metadata-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('exits non-zero and names the file', () => {
      const bad = join(dir, 'garbage.tflite');
      writeFileSync(bad, new Uint8Array([0xff, 0xd8, 0xff, 0xe0]));
      const failure = runCli(['--in', bad, '--out', join(dir, 'out.tflite')]);
      expect(failure.status).toBe(1);
      expect(failure.stderr).toContain('garbage.tflite');
      expect(failure.stderr).toContain(`is not the pinned ${INPUT_SHA256}`);
    });

    it('rejects an unknown flag with the usage line', () => {
      const failure = runCli(['--input', 'x.tflite']);
      expect(failure.status).toBe(2);
      expect(failure.stderr).toMatch(/Unknown option '--input'[\s\S]*usage: .*--in MODEL/);
    });
  });
});
