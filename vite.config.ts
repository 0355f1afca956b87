import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { viteStaticCopy } from 'vite-plugin-static-copy';
import { cspMetaTag } from './scripts/lib/csp-meta-plugin.ts';
import { securityHeaders } from './scripts/lib/security-headers.ts';
import { modelsFolder } from './scripts/lib/vite-models-plugin.ts';
import { tfjsWasmThreads } from './scripts/lib/tfjs-wasm-threads-plugin.ts';
import { vendorAssetTargets } from './scripts/lib/vendor-asset-copies.ts';

// The same headers in dev and in preview/production so that CSP problems show up in development.
export default defineConfig({
  plugins: [
    svelte(),
    tfjsWasmThreads(),
    modelsFolder(import.meta.dirname),
    // tfjs and MediaPipe wasm, face-mesh model: written at writeBundle, so VitePWA's precache
    // (made at closeBundle) lists them.
    viteStaticCopy({ targets: vendorAssetTargets() }),
    cspMetaTag(),
    VitePWA({
      // The app shows its own "update available" prompt (src/lib/state/pwa.svelte.ts).
      registerType: 'prompt',
      injectRegister: false,
      manifest: {
        name: 'facegate: face unlock on this device',
        short_name: 'facegate',
        description: 'Face verification that runs entirely on this device. Nothing leaves it.',
        theme_color: '#0f172a',
        background_color: '#0f172a',
        display: 'standalone',
        start_url: '/',
        scope: '/',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          {
            src: '/icons/maskable-512.png',
            sizes: '512x512',
            type: 'image/png',
            purpose: 'maskable',
          },
        ],
      },
      workbox: {
        // Listing globPatterns replaces the defaults: name every kind the app needs offline.
        globPatterns: ['**/*.{js,css,html,svg,png,ico,wasm,tflite,bin,json}'],
        // Only the wasm variants the app loads: MediaPipe's ES-module SIMD build (the frame-pipeline
        // worker's; the classic one is for the dataset tools' pages) and tfjs's SIMD builds,
        // threaded (with its pthread scripts) and single-threaded (where a host gives no threads).
        globIgnores: ['**/tfjs-backend-wasm.wasm', '**/mediapipe/vision_wasm_internal.*'],
        // MediaPipe's wasm is 11 MB.
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
        navigateFallback: 'index.html',
        cleanupOutdatedCaches: true,
      },
    }),
  ],
  // Workers are bundled separately, with their own plugins: the frame-pipeline, fine-tune and lab
  // workers run tfjs-wasm, so they get the thread patch too.
  worker: { plugins: () => [tfjsWasmThreads()] },
  server: { headers: securityHeaders({ dev: true }) },
  preview: { headers: securityHeaders({ dev: false }) },
  build: {
    target: 'es2022',
    // MediaPipe's and tfjs's wasm loaders are large by nature; do not warn about them.
    chunkSizeWarningLimit: 2048,
  },
});
