/// <reference types="node" />
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertManifest, parseManifest } from '../../../src/lib/embedding/manifest-parse';
import { ModelFileError } from '../../../src/lib/embedding/model-fetch';

const hash = 'ab'.repeat(32);

function valid(): Record<string, unknown> {
  return {
    id: 'test-model',
    format: 'facegate-graph-1',
    files: [
      { path: 'graph.json', bytes: 10, sha256: hash },
      { path: 'weights.bin', bytes: 20, sha256: hash },
      { path: 'bank.bin', bytes: 30, sha256: hash },
    ],
    graph: 'graph.json',
    weights: 'weights.bin',
    input: { size: 112, colorOrder: 'BGR', mean: 127.5, std: 128, alignment: 'arcface-5' },
    embedding: { dim: 512, normalized: true, flipAugment: true },
    loss: { type: 'LMCL (CosFace)', s: 64, m: 0.35 },
    training: {},
    accuracy: {},
    thresholds: { 'far_1e-3': 0.33, 'far_1e-4': 0.4, 'far_1e-5': 0.47 },
    source: { package: 'p@1', file: 'm.onnx', licence: 'MIT', sha256: hash },
    background: { file: 'bank.bin', dim: 512, classes: 10, samples: 40, validationClasses: 2 },
  };
}

/** The message of the ModelFileError that parsing `manifest` throws. */
function problem(manifest: unknown): string {
  try {
    assertManifest(manifest);
  } catch (error) {
    expect(error).toBeInstanceOf(ModelFileError);
    return (error as Error).message;
  }
  throw new Error('the manifest was accepted');
}

function without(path: (string | number)[]): Record<string, unknown> {
  const m = valid();
  let o = m;
  for (const key of path.slice(0, -1)) o = o[key] as Record<string, unknown>;
  delete o[path.at(-1) ?? ''];
  return m;
}

function withValue(path: (string | number)[], value: unknown): Record<string, unknown> {
  const m = valid();
  let o = m;
  for (const key of path.slice(0, -1)) o = o[key] as Record<string, unknown>;
  o[path.at(-1) ?? ''] = value;
  return m;
}

describe('the model manifest check', () => {
  it('accepts the shipped manifest and a complete one', () => {
    const shipped = readFileSync(resolve(__dirname, '../../../models/manifest.json'), 'utf8');
    expect(parseManifest(shipped).embedding.normalized).toBe(true);
    expect(() => assertManifest(valid())).not.toThrow();
    expect(() => assertManifest(without(['background']))).not.toThrow();
  });

  it('names a missing field', () => {
    expect(problem(without(['id']))).toMatch(/: id is missing, expected a non-empty text/);
    expect(problem(without(['input', 'size']))).toMatch(/input\.size is missing/);
    expect(problem(without(['thresholds', 'far_1e-4']))).toMatch(/thresholds\.far_1e-4 is missing/);
    expect(problem(without(['embedding']))).toMatch(/embedding is missing, expected an object/);
    expect(problem(without(['background', 'validationClasses']))).toMatch(
      /background\.validationClasses is missing/,
    );
  });

  it('names a field of the wrong type', () => {
    expect(problem(withValue(['input', 'size'], '112'))).toMatch(
      /input\.size is the text "112", expected a whole number > 0/,
    );
    expect(problem(withValue(['input', 'colorOrder'], 'rgb'))).toMatch(
      /input\.colorOrder .* expected "RGB" or "BGR"/,
    );
    expect(problem(withValue(['embedding', 'normalized'], false))).toMatch(/embedding\.normalized/);
    expect(problem(withValue(['files'], {}))).toMatch(/files is an object, expected a list/);
    expect(
      problem(withValue(['files', 1], { path: 'weights.bin', bytes: -1, sha256: hash })),
    ).toMatch(/files\[1\]\.bytes is number -1/);
    expect(problem(withValue(['source'], null))).toMatch(/source is null, expected an object/);
    expect(problem([])).toMatch(/the manifest is a list, expected an object/);
  });

  it('refuses values no model could have', () => {
    expect(problem(withValue(['format'], 'facegate-graph-2'))).toMatch(/format/);
    expect(problem(withValue(['input', 'std'], 0))).toMatch(/input\.std .* a positive number/);
    expect(problem(withValue(['thresholds', 'far_1e-3'], 3))).toMatch(/between -1 and 1/);
    expect(problem(withValue(['files', 0, 'sha256'], 'ABC'))).toMatch(/files\[0\]\.sha256/);
    expect(problem(withValue(['weights'], 'other.bin'))).toMatch(
      /weights is the text "other\.bin", expected a file listed in files/,
    );
    expect(problem(withValue(['background', 'dim'], 128))).toMatch(/background\.dim .* 512/);
    expect(problem(withValue(['background', 'validationClasses'], 10))).toMatch(
      /fewer than its 10 classes/,
    );
  });

  it('says the file is damaged when it is not JSON', () => {
    expect(() => parseManifest('{"id": ')).toThrow(ModelFileError);
    expect(() => parseManifest('{"id": ')).toThrow(/manifest\.json\) is damaged/);
  });
});
