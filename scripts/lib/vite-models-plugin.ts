import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import type { Plugin } from 'vite';

const TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.bin': 'application/octet-stream',
};

/**
 * Serves the top-level models/ folder at /models/ in dev and copies it into the build, so the
 * shipped weights live in one place (models/, with its manifest and model card) and nowhere else.
 */
export function modelsFolder(root: string): Plugin {
  const dir = resolve(root, 'models');
  const files = () => readdirSync(dir).filter((f) => ['.json', '.bin'].includes(extname(f)));
  return {
    name: 'facegate-models-folder',
    configureServer(server) {
      server.middlewares.use('/models/', (req, res, next) => {
        const name = decodeURIComponent((req.url ?? '').split('?')[0] ?? '').replace(/^\//, '');
        if (!files().includes(name)) return next();
        res.setHeader('Content-Type', TYPES[extname(name)] ?? 'application/octet-stream');
        res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
        res.end(readFileSync(join(dir, name)));
      });
    },
    generateBundle() {
      for (const name of files()) {
        this.emitFile({
          type: 'asset',
          fileName: `models/${name}`,
          source: readFileSync(join(dir, name)),
        });
      }
    },
  };
}
