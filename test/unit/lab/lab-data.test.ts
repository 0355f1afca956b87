/// <reference types="node" />
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeLabData,
  encodeLabData,
  LAB_DATA_PATH,
  type LabDataFileV1,
} from '../../../src/lib/lab/lab-data';
import type { LabData } from '../../../src/lib/lab/lab-types';

const committed = () =>
  JSON.parse(
    readFileSync(resolve(import.meta.dirname, '../../../public', LAB_DATA_PATH), 'utf8'),
  ) as LabDataFileV1;

function dot(data: LabData, i: number, j: number): number {
  let s = 0;
  for (let k = 0; k < data.dim; k++) {
    s +=
      (data.embeddings[i * data.dim + k] as number) * (data.embeddings[j * data.dim + k] as number);
  }
  return s;
}

describe('the committed lab data (public/lab/lfw8.json)', () => {
  const data = decodeLabData(committed());

  it('holds 8 named people, at least 8 unit rows each, of 512 values', () => {
    expect(data.names).toHaveLength(8);
    expect(new Set(data.names).size).toBe(8);
    for (const n of data.names) expect(n).not.toMatch(/_/);
    expect(data.dim).toBe(512);
    expect(data.embeddings).toHaveLength(data.labels.length * data.dim);
    for (const l of data.labels) expect([0, 1, 2, 3, 4, 5, 6, 7]).toContain(l);
    for (let k = 0; k < 8; k++) {
      expect(data.labels.filter((l) => l === k).length).toBeGreaterThanOrEqual(8);
    }
    for (let r = 0; r < data.labels.length; r++) expect(dot(data, r, r)).toBeCloseTo(1, 5);
    expect(data.source.modelId).not.toBe('');
    expect(data.source.command).toMatch(/make-lab-data/);
  });

  it('puts the same person closer than different people, by a clear margin', () => {
    let same = 0;
    let nSame = 0;
    let diff = 0;
    let nDiff = 0;
    for (let i = 0; i < data.labels.length; i++) {
      for (let j = i + 1; j < data.labels.length; j++) {
        const c = dot(data, i, j);
        if (data.labels[i] === data.labels[j]) {
          same += c;
          nSame++;
        } else {
          diff += c;
          nDiff++;
        }
      }
    }
    // The model's training people: the backbone separates them well (about 0.68 vs 0.01).
    expect(same / nSame - diff / nDiff).toBeGreaterThan(0.3);
  });
});

describe('encodeLabData / decodeLabData', () => {
  const small: LabData = {
    names: ['A', 'B'],
    labels: [0, 1, 1],
    embeddings: Float32Array.from([0.6, 0.8, 0, 0, 0, 1, -1, 0, 0]),
    dim: 3,
    source: { modelId: 'm', command: 'cmd' },
  };

  it('round-trips within int8 precision, rows unit length', () => {
    const decoded = decodeLabData(JSON.parse(JSON.stringify(encodeLabData(small))));
    expect(decoded.names).toEqual(['A', 'B']);
    expect(decoded.labels).toEqual([0, 1, 1]);
    expect(decoded.source).toEqual({ modelId: 'm', command: 'cmd' });
    for (let i = 0; i < small.embeddings.length; i++) {
      expect(decoded.embeddings[i]).toBeCloseTo(small.embeddings[i] as number, 2);
    }
  });

  const good = () => encodeLabData(small) as unknown as Record<string, unknown>;
  const cases: [string, (f: Record<string, unknown>) => unknown, RegExp][] = [
    ['not an object', () => [1, 2], /not a JSON object/],
    ['wrong format', (f) => ({ ...f, format: 'facegate-export' }), /format/],
    ['wrong version', (f) => ({ ...f, version: 2 }), /version/],
    ['bad base64', (f) => ({ ...f, q: 'not base64!' }), /base64/],
    ['too few values', (f) => ({ ...f, q: btoa('\u0001\u0002\u0003') }), /expected 3 rows/],
    ['too few scales', (f) => ({ ...f, scales: [0.01] }), /scales/],
    ['a label out of range', (f) => ({ ...f, labels: [0, 1, 2] }), /labels\[2\]/],
    ['a class with no rows', (f) => ({ ...f, labels: [0, 0, 0] }), /class 1/],
    [
      'labels and rows disagree',
      (f) => ({ ...f, labels: [0, 1], scales: [0.01, 0.01] }),
      /q holds 9 values, expected 2 rows/,
    ],
    ['a missing name', (f) => ({ ...f, names: ['A', ''] }), /names\[1\]/],
    ['no dim', (f) => ({ ...f, dim: undefined }), /dim/],
    ['an all-zero row', (f) => ({ ...f, q: btoa('\0'.repeat(9)) }), /row 0 is all zeros/],
  ];
  for (const [what, mangle, message] of cases) {
    it(`throws on ${what}`, () => {
      expect(() => decodeLabData(mangle(good()))).toThrow(message);
      expect(() => decodeLabData(mangle(good()))).toThrow(/Bad lab data file/);
    });
  }
});
