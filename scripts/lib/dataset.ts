export { seededRandom } from '../../src/lib/math/seeded-random.ts';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const IMAGE = /\.(jpe?g|png|webp|bmp)$/i;

/** Images of an LFW-layout folder (`<root>/<Person>/<file>`), as sorted relative paths. */
export function listLfwLayout(root: string): { person: string; file: string }[] {
  const out: { person: string; file: string }[] = [];
  for (const person of readdirSync(root).sort()) {
    const dir = join(root, person);
    if (!statSync(dir).isDirectory()) continue;
    for (const name of readdirSync(dir).sort()) {
      if (IMAGE.test(name)) out.push({ person, file: `${person}/${name}` });
    }
  }
  return out;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}
