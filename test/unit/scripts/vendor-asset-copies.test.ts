/// <reference types="node" />
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { build } from 'vite';
import { viteStaticCopy, type Target } from 'vite-plugin-static-copy';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkPinned,
  pthreadWorkerScript,
  vendorAssetTargets,
} from '../../../scripts/lib/vendor-asset-copies';

const ROOT = resolve(import.meta.dirname, '../../..');
const targets = vendorAssetTargets();
const srcOf = (target: Target): string => {
  if (typeof target.src !== 'string') throw new Error('one file per target');
  return target.src;
};
const urlOf = (target: Target): string => `/${target.dest}/${basename(srcOf(target))}`;
const landmark = (name: string): Target => {
  const found = targets.find((t) => urlOf(t) === `/landmarks/${name}`);
  if (!found) throw new Error(`no target for ${name}`);
  return found;
};

const scratch = mkdtempSync(join(tmpdir(), 'facegate-static-copy-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('vendorAssetTargets', () => {
  it('serves exactly the URLs the app and the dataset pages load, each from a file that exists', () => {
    expect(targets.map(urlOf).sort()).toEqual([
      '/landmarks/facemesh.bin',
      '/landmarks/facemesh.json',
      '/mediapipe/vision_wasm_internal.js',
      '/mediapipe/vision_wasm_internal.wasm',
      '/mediapipe/vision_wasm_module_internal.js',
      '/mediapipe/vision_wasm_module_internal.wasm',
      '/tfjs/tfjs-backend-wasm-simd.wasm',
      '/tfjs/tfjs-backend-wasm-threaded-simd.js',
      '/tfjs/tfjs-backend-wasm-threaded-simd.wasm',
      '/tfjs/tfjs-backend-wasm-threaded-simd.worker.js',
      '/tfjs/tfjs-backend-wasm.wasm',
    ]);
    for (const target of targets) expect(existsSync(resolve(ROOT, srcOf(target)))).toBe(true);
  });
});

describe('checkPinned', () => {
  const json = readFileSync(resolve(ROOT, srcOf(landmark('facemesh.json'))));

  it('passes the pinned landmark model bytes through unchanged', () => {
    expect(checkPinned('facemesh.json', json)).toBe(json);
  });

  it('refuses one changed byte and a file with no pin', () => {
    const changed = Buffer.from(json);
    changed[100] = (changed[100] ?? 0) ^ 1;
    expect(() => checkPinned('facemesh.json', changed)).toThrow(/sha256 [0-9a-f]{64}, expected/);
    expect(() => checkPinned('other.bin', json)).toThrow(/no pinned sha256/);
  });
});

describe('pthreadWorkerScript', () => {
  it("is tfjs's worker string with every newline escaped, as tfjs escapes it for its blob:", () => {
    const path = resolve(
      ROOT,
      'node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js',
    );
    const { wasmWorkerContents } = createRequire(import.meta.url)(path) as {
      wasmWorkerContents: string;
    };
    const script = pthreadWorkerScript(path);
    expect(wasmWorkerContents).toContain('\n');
    expect(script).not.toContain('\n');
    // Nothing but the newlines changes.
    expect(script.replaceAll('\\n', '')).toBe(
      wasmWorkerContents.replaceAll('\\n', '').replaceAll('\n', ''),
    );
    expect(script.length).toBe(
      wasmWorkerContents.length + wasmWorkerContents.split('\n').length - 1,
    );
  });
});

/** A vite build of an empty page that copies `source` through the real facemesh.json target. */
async function buildWithLandmarkFrom(source: string, outDir: string): Promise<void> {
  writeFileSync(join(scratch, 'index.html'), '<!doctype html><title>t</title>');
  await build({
    configFile: false,
    root: scratch,
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true },
    plugins: [viteStaticCopy({ targets: [{ ...landmark('facemesh.json'), src: source }] })],
  });
}

describe('the landmark copy in a vite build', () => {
  const pinned = readFileSync(resolve(ROOT, srcOf(landmark('facemesh.json'))));

  it('writes the pinned bytes', async () => {
    writeFileSync(join(scratch, 'facemesh.json'), pinned);
    await buildWithLandmarkFrom('facemesh.json', join(scratch, 'ok'));
    expect(readFileSync(join(scratch, 'ok/landmarks/facemesh.json')).equals(pinned)).toBe(true);
  });

  it('fails the build on bytes that are not the pinned ones', async () => {
    writeFileSync(join(scratch, 'facemesh.json'), Buffer.concat([pinned, Buffer.from(' ')]));
    await expect(buildWithLandmarkFrom('facemesh.json', join(scratch, 'bad'))).rejects.toThrow(
      /facemesh\.json has sha256/,
    );
  });
});
