/** Bytes the app ships, for `npm run bench`: its JavaScript gzipped and its model files. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Every .js file of dist/assets, each gzipped at the default level (as a server would send it). */
export function bundleBytes(distDir: string): { files: number; raw: number; gzip: number } {
  const assets = join(distDir, 'assets');
  const files = readdirSync(assets).filter((f) => f.endsWith('.js'));
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    const bytes = readFileSync(join(assets, file));
    raw += bytes.length;
    gzip += gzipSync(bytes).length;
  }
  return { files: files.length, raw, gzip };
}

/** Total size of the files under a folder (0 when it does not exist). */
export function folderBytes(dir: string): number {
  let total = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += folderBytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

/**
 * The model files: the backbone and its bank (models/), the face mesh (in the build only: it is
 * copied from its package at build time), the face detector.
 */
export function modelBytes(root: string): { total: number; by_folder: Record<string, number> } {
  const folders = ['models', 'dist/landmarks', 'public/detector'];
  const by_folder = Object.fromEntries(folders.map((f) => [f, folderBytes(join(root, f))]));
  return { total: Object.values(by_folder).reduce((a, b) => a + b, 0), by_folder };
}
