/**
 * A backup at the people limit for the e2e, derived from global-setup's real embeddings: each of
 * the nine real people (import-nine.json) stands for 1/9 of the 1,000, every view a real sample
 * moved a little and re-normalised, so the file's vectors are like real ones but all distinct, and
 * its templates are the normalised means the import checks.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { normalize, template } from '../../src/lib/math/match.ts';
import {
  EXPORT_FORMAT,
  IMPORT_MAX_PEOPLE,
  base64ToFloat32,
  float32ToBase64,
  type ExportFileV1,
} from '../../src/lib/store/export-format.ts';
import { openExport, sealExport } from '../../src/lib/store/export-seal.ts';
import { FILE_PASSPHRASE, importFile } from './paths.ts';

/** The guided enrollment's four views, named as its samples' poses are. */
const VIEWS = ['straight', 'left', 'right', 'nod'];
/** Per-coordinate noise: unit vectors of 512 values are ~0.044 per coordinate. */
const NOISE = 0.01;

/** The version-1 contents of an encrypted file (FILE_PASSPHRASE). */
export async function openBackup(text: string): Promise<ExportFileV1> {
  return JSON.parse(await openExport(text, FILE_PASSPHRASE)) as ExportFileV1;
}

function vector(b64: string): Float32Array {
  const v = base64ToFloat32(b64);
  if (!(v instanceof Float32Array)) throw new Error(`bad vector in import-nine: ${v.problem}`);
  return v;
}

/** Writes import-<name>.json with IMPORT_MAX_PEOPLE people of four views; returns its contents. */
export async function makeBigBackup(name: string): Promise<ExportFileV1> {
  const real = await openBackup(readFileSync(importFile('nine'), 'utf8'));
  let seed = 12345;
  const noise = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return (seed / 2 ** 32 - 0.5) * 2 * NOISE;
  };
  const now = Date.now();
  const people = Array.from({ length: IMPORT_MAX_PEOPLE }, (_, i) => {
    const source = real.people[i % real.people.length]!;
    const samples = VIEWS.map((_, j) => {
      const base = vector(source.samples[j % source.samples.length]!.embedding);
      return normalize(base.map((x) => x + noise()));
    });
    return {
      name: `${source.name} ${String(i + 1).padStart(4, '0')}`,
      createdAt: now,
      updatedAt: now,
      template: float32ToBase64(template(samples)),
      samples: samples.map((e, j) => ({
        embedding: float32ToBase64(e),
        createdAt: now,
        pose: VIEWS[j]!,
      })),
    };
  });
  const file: ExportFileV1 = {
    format: EXPORT_FORMAT,
    version: 1,
    modelId: real.modelId,
    exportedAt: now,
    people,
  };
  writeFileSync(importFile(name), await sealExport(JSON.stringify(file), FILE_PASSPHRASE));
  return file;
}
