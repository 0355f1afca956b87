/// <reference types="node" />
import { expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate, type EvalResult } from '../../scripts/eval';
import { LFW, MODELS } from './lfw-fixture';
import { IMAGE_REFINE } from '../../src/lib/vision/front-end-version.ts';

/**
 * The evaluation interface end to end on a small View-1 style pairs file: Chromium detection +
 * alignment, tfjs embedding, metrics, JSON and ROC plot. Pairs are from LFW fold 6 (never trained on).
 */
it('evaluates a small pairs file end to end', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'facegate-eval-'));
  const lines = readFileSync(join(LFW, 'pairs.txt'), 'utf8').split('\n');
  // Fold 6 starts after the header and five folds of 600 lines.
  const matched = lines.slice(1 + 5 * 600, 1 + 5 * 600 + 8);
  const mismatched = lines.slice(1 + 5 * 600 + 300, 1 + 5 * 600 + 308);
  const pairs = join(dir, 'pairs.txt');
  writeFileSync(pairs, ['8', ...matched, ...mismatched].join('\n'));
  const json = join(dir, 'result.json');
  const roc = join(dir, 'roc.svg');
  const result = await evaluate({
    data: LFW,
    pairs,
    folds: null,
    json,
    model: MODELS,
    roc,
    cache: join(dir, 'crops'),
    backend: 'wasm',
    refine: IMAGE_REFINE,
  });
  expect(result.pairs).toBe(16);
  expect(result.no_face).toBe(0);
  expect(result.accuracy).toBeGreaterThanOrEqual(0.9);
  expect(result.auc).toBeGreaterThan(0.9);
  expect(result.model).toBe(
    (JSON.parse(readFileSync(join(MODELS, 'manifest.json'), 'utf8')) as { id: string }).id,
  );
  const written = JSON.parse(readFileSync(json, 'utf8')) as EvalResult;
  expect(written['tar_at_far_1e-3']).toBe(result['tar_at_far_1e-3']);
  expect(existsSync(roc) && readFileSync(roc, 'utf8')).toMatch(/<svg[\s\S]*<\/svg>/);
}, 300_000);
