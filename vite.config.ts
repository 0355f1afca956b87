import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { securityHeaders } from './scripts/lib/security-headers.ts';
import { modelsFolder } from './scripts/lib/vite-models-plugin.ts';

// The same headers in dev and in preview/production so that CSP problems show up in development.
export default defineConfig({
  plugins: [svelte(), modelsFolder(import.meta.dirname)],
  server: { headers: securityHeaders({ dev: true }) },
  preview: { headers: securityHeaders({ dev: false }) },
  build: {
    target: 'es2022',
    // MediaPipe's and tfjs's wasm loaders are large by nature; do not warn about them.
    chunkSizeWarningLimit: 2048,
  },
});
