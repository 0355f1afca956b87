/**
 * LFW pair lists. View 2 (`pairs.txt`) starts with `<folds> <n>` and holds, per fold,
 * n matched lines `name i j` then n mismatched lines `name1 i name2 j`. View 1
 * (`pairsDevTrain.txt`, `pairsDevTest.txt`) starts with `<n>` and is a single such fold.
 */

export interface LfwPair {
  /** Relative image paths, e.g. 'Name/Name_0001.jpg'. */
  a: string;
  b: string;
  same: boolean;
  /** 1-based; 1 for View 1 files. */
  fold: number;
}

export function imagePath(name: string, index: number): string {
  return `${name}/${name}_${String(index).padStart(4, '0')}.jpg`;
}

const COUNT = /^[1-9]\d*$/;

function parseCount(token: string, lineNo: number, what: string): number {
  if (!COUNT.test(token)) {
    throw new Error(`LFW pairs line ${lineNo}: ${what} must be a positive integer, got "${token}"`);
  }
  return Number(token);
}

/** Parses View 1 or View 2 pair lists; throws naming the line of the first problem. */
export function parsePairs(text: string): LfwPair[] {
  const lines = text.split(/\r?\n/);
  // Trailing newlines are normal; anything else blank is a malformed line.
  while (lines.length > 0 && (lines[lines.length - 1] as string).trim() === '') lines.pop();
  if (lines.length === 0) throw new Error('LFW pairs line 1: empty file');

  const header = (lines[0] as string).trim().split(/\s+/);
  let folds = 1;
  let perClass: number;
  if (header.length === 2) {
    folds = parseCount(header[0] as string, 1, 'fold count');
    perClass = parseCount(header[1] as string, 1, 'pairs per class');
  } else if (header.length === 1) {
    perClass = parseCount(header[0] as string, 1, 'pairs per class');
  } else {
    throw new Error(
      `LFW pairs line 1: expected "<folds> <n>" or "<n>", got "${lines[0] as string}"`,
    );
  }

  const expected = folds * perClass * 2;
  if (lines.length - 1 !== expected) {
    throw new Error(
      `LFW pairs line ${Math.min(lines.length - 1, expected) + 2}: header promises ${expected} ` +
        `pair lines (${folds} folds x ${perClass} matched + ${perClass} mismatched), ` +
        `file has ${lines.length - 1}`,
    );
  }

  const pairs: LfwPair[] = [];
  for (let i = 0; i < expected; i++) {
    const lineNo = i + 2;
    const line = lines[i + 1] as string;
    const fold = Math.floor(i / (2 * perClass)) + 1;
    const same = i % (2 * perClass) < perClass;
    const t = line.trim().split(/\s+/);
    if (same) {
      if (t.length !== 3) {
        throw new Error(
          `LFW pairs line ${lineNo}: fold ${fold} expects a matched pair "name i j", got "${line}"`,
        );
      }
      const name = t[0] as string;
      pairs.push({
        a: imagePath(name, parseCount(t[1] as string, lineNo, 'image index')),
        b: imagePath(name, parseCount(t[2] as string, lineNo, 'image index')),
        same,
        fold,
      });
    } else {
      if (t.length !== 4) {
        throw new Error(
          `LFW pairs line ${lineNo}: fold ${fold} expects a mismatched pair "name1 i name2 j", got "${line}"`,
        );
      }
      pairs.push({
        a: imagePath(t[0] as string, parseCount(t[1] as string, lineNo, 'image index')),
        b: imagePath(t[2] as string, parseCount(t[3] as string, lineNo, 'image index')),
        same,
        fold,
      });
    }
  }
  return pairs;
}

/** Person names (image directory names) appearing in the given folds, e.g. to keep them out of training. */
export function peopleInFolds(pairs: readonly LfwPair[], folds: readonly number[]): Set<string> {
  const wanted = new Set(folds);
  const people = new Set<string>();
  for (const p of pairs) {
    if (!wanted.has(p.fold)) continue;
    for (const path of [p.a, p.b]) people.add(path.slice(0, path.indexOf('/')));
  }
  return people;
}

/** '6-10' -> [6..10], '1,3,5-7' -> [1,3,5,6,7]; sorted and deduplicated. */
export function parseFolds(spec: string): number[] {
  const folds = new Set<number>();
  for (const raw of spec.split(',')) {
    const part = raw.trim();
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (m === null) throw new Error(`bad fold spec "${spec}": cannot read "${part}"`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from < 1 || to < from) throw new Error(`bad fold spec "${spec}": bad range "${part}"`);
    for (let f = from; f <= to; f++) folds.add(f);
  }
  return [...folds].sort((a, b) => a - b);
}
