import { describe, expect, it } from 'vitest';
import { normalize, template } from '../../../src/lib/math/match';
import { exportData, IMPORT_MAX_PEOPLE, parseExport } from '../../../src/lib/store/export-format';
import { IMPORT_MAX_BYTES, openExport, sealExport } from '../../../src/lib/store/export-seal';
import { NAME_MAX_LENGTH, type PersonWithSamples } from '../../../src/lib/store/schema';

/**
 * The largest backup Export makes of people enrolled in the app (the most people, each with every
 * guided view, the longest names) must import back: under the byte limit, and bit-exact.
 */

const MODEL = 'model-size';
const DIM = 512; // models/manifest.json
const PASS = 'backup passphrase';
/** The guided enrollment's views (ENROLL_STEPS), as its samples' poses name them. */
const VIEWS = ['straight', 'left', 'right', 'nod'];

/** Pseudo-random unit vectors with full float32 mantissas (real embeddings compress no better). */
let x = 7;
function unit(): Float32Array {
  const out = new Float32Array(DIM);
  for (let i = 0; i < DIM; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x / 2 ** 32 - 0.5;
  }
  return normalize(out);
}

function person(i: number): PersonWithSamples {
  const id = `p${i}`;
  const name = `${i} `.padEnd(NAME_MAX_LENGTH, 'x');
  const samples = VIEWS.map(unit);
  const now = Date.UTC(2026, 11, 6);
  return {
    person: {
      id,
      name,
      modelId: MODEL,
      template: template(samples),
      createdAt: now,
      updatedAt: now,
      thumbnail: null,
    },
    samples: samples.map((embedding, j) => ({
      id: `${id}-${j}`,
      personId: id,
      modelId: MODEL,
      embedding,
      createdAt: now,
      pose: VIEWS[j]!,
    })),
  };
}

const bits = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

describe('the largest export', () => {
  it(`${IMPORT_MAX_PEOPLE} people with ${VIEWS.length} views: under the byte limit, back bit-exact`, async () => {
    const everyone = Array.from({ length: IMPORT_MAX_PEOPLE }, (_, i) => person(i));
    const sealed = await sealExport(exportData(everyone, MODEL), PASS);
    const mib = (n: number) => (n / 1024 / 1024).toFixed(2);
    console.log(
      `${IMPORT_MAX_PEOPLE} people sealed: ${mib(sealed.length)} MiB of ${mib(IMPORT_MAX_BYTES)}`,
    );
    expect(sealed.length).toBeLessThan(IMPORT_MAX_BYTES);

    const parsed = parseExport(await openExport(sealed, PASS), { modelId: MODEL, dim: DIM });
    expect(parsed.people).toHaveLength(IMPORT_MAX_PEOPLE);
    for (const [i, p] of parsed.people.entries()) {
      const want = everyone[i]!;
      expect(p.name).toBe(want.person.name);
      const same =
        bits(p.template).equals(bits(want.person.template)) &&
        p.samples.every((s, j) => bits(s.embedding).equals(bits(want.samples[j]!.embedding)));
      expect(same, p.name).toBe(true);
    }
  });
});
