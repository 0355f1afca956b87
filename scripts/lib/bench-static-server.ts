/**
 * A small static server for the bench's competitor pages: generated HTML pages plus folders of
 * node_modules (libraries, their models, tfjs wasm binaries), on an ephemeral localhost port.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
};

/**
 * Cross-origin isolated, like the app (scripts/lib/security-headers.ts): tfjs-wasm then runs its
 * threaded build for the competitors too, so every pipeline gets the same cores.
 */
const ISOLATION = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/**
 * `pages`: exact path -> HTML text; `folders`: URL prefix ("/human/") -> folder on disk. Paths that
 * leave their folder (`..`) are refused.
 */
export async function startStaticServer(
  pages: Record<string, string>,
  folders: Record<string, string>,
): Promise<StaticServer> {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const page = pages[path];
    if (page !== undefined) {
      response.writeHead(200, {
        'content-type': TYPES['.html'],
        'cache-control': 'no-store',
        ...ISOLATION,
      });
      response.end(page);
      return;
    }
    for (const [prefix, dir] of Object.entries(folders)) {
      if (!path.startsWith(prefix)) continue;
      const root = resolve(dir);
      const file = resolve(join(root, path.slice(prefix.length)));
      if (!file.startsWith(root + sep)) break;
      let size: number;
      try {
        const stat = statSync(file);
        if (!stat.isFile()) break;
        size = stat.size;
      } catch {
        break;
      }
      response.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-length': size,
        ...ISOLATION,
      });
      createReadStream(file).pipe(response);
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end(`not found: ${path}`);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/**
 * A port free right now, for the app's preview server: a fixed one may be held by another bench
 * or test run on the same machine, whose app the bench would then measure by mistake.
 */
export async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((done) => probe.close(() => done()));
  return port;
}
