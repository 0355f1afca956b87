/// <reference types="node" />
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listLfwLayout, median, seededRandom } from '../../../scripts/lib/dataset';

describe('median', () => {
  it('handles odd, even, unsorted and empty input', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([10, 9, 100])).toBe(10);
    expect(median([-1, -5, 2, 0.5])).toBe(-0.25);
    expect(median([])).toBeNaN();
  });

  it('does not reorder its argument', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('seededRandom', () => {
  it('is deterministic for a seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 100 }, () => a());
    expect(Array.from({ length: 100 }, () => b())).toEqual(xs);
  });

  it('differs between seeds', () => {
    const a = seededRandom(1);
    const b = seededRandom(2);
    const xs = Array.from({ length: 10 }, () => a());
    expect(Array.from({ length: 10 }, () => b())).not.toEqual(xs);
  });

  it('stays in [0, 1) and is roughly uniform', () => {
    const r = seededRandom(7);
    const bins = new Array<number>(10).fill(0);
    const n = 20000;
    let sum = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const v = r();
      if (!(v >= 0 && v < 1)) outside++;
      sum += v;
      const k = Math.floor(v * 10);
      bins[k] = (bins[k] ?? 0) + 1;
    }
    expect(outside).toBe(0);
    expect(sum / n).toBeGreaterThan(0.49);
    expect(sum / n).toBeLessThan(0.51);
    for (const count of bins) {
      expect(count).toBeGreaterThan(n / 10 - 300);
      expect(count).toBeLessThan(n / 10 + 300);
    }
  });

  it('treats seeds modulo 2^32', () => {
    const a = seededRandom(-1);
    const b = seededRandom(0xffffffff);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });
});

describe('listLfwLayout', () => {
  let root = '';

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'facegate-lfw-'));
    const files: Record<string, string[]> = {
      Zoe_Smith: ['Zoe_Smith_0002.jpg', 'Zoe_Smith_0001.jpg'],
      Aaron_Eckhart: [
        'Aaron_Eckhart_0001.JPG',
        'notes.txt',
        'face.png',
        'x.jpeg',
        'y.webp',
        'z.bmp',
      ],
      Empty_Person: [],
    };
    for (const [person, names] of Object.entries(files)) {
      mkdirSync(join(root, person));
      for (const name of names) writeFileSync(join(root, person, name), 'x');
    }
    writeFileSync(join(root, 'README.txt'), 'not a person');
    writeFileSync(join(root, 'stray.jpg'), 'not inside a person folder');
  });

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('lists images per person as sorted relative paths', () => {
    expect(listLfwLayout(root)).toEqual([
      { person: 'Aaron_Eckhart', file: 'Aaron_Eckhart/Aaron_Eckhart_0001.JPG' },
      { person: 'Aaron_Eckhart', file: 'Aaron_Eckhart/face.png' },
      { person: 'Aaron_Eckhart', file: 'Aaron_Eckhart/x.jpeg' },
      { person: 'Aaron_Eckhart', file: 'Aaron_Eckhart/y.webp' },
      { person: 'Aaron_Eckhart', file: 'Aaron_Eckhart/z.bmp' },
      { person: 'Zoe_Smith', file: 'Zoe_Smith/Zoe_Smith_0001.jpg' },
      { person: 'Zoe_Smith', file: 'Zoe_Smith/Zoe_Smith_0002.jpg' },
    ]);
  });

  it('throws for a missing root', () => {
    expect(() => listLfwLayout(join(root, 'does-not-exist'))).toThrow();
  });
});
