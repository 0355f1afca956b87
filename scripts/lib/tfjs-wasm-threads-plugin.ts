import type { Plugin } from 'vite';

/**
 * tfjs-backend-wasm 4.22.0 starts its threaded build from two blob: URLs: the pthread worker
 * script, and the emscripten loader each pthread imports. A CSP that keeps script-src to 'self'
 * refuses the second (importScripts of a blob:), so tfjs would give up threads or fail. This
 * build-time patch makes both plain files of the app (served at /tfjs/ by
 * scripts/lib/vendor-asset-copies.ts) under the path given to setWasmPaths. The package is pinned
 * exactly; if its code changes the build fails here rather than shipping an app without threads.
 */
const TARGET = /@tensorflow[\\/]tfjs-backend-wasm[\\/]dist[\\/]backend_wasm\.js$/;

const PATCHES: readonly { find: string; replace: string }[] = [
  {
    find: `const response = wasmWorkerContents.replace(/\\n/g, '\\\\n');
                const blob = new Blob([response], { type: 'application/javascript' });
                return URL.createObjectURL(blob);`,
    replace: `return (wasmPathPrefix ?? prefix) + 'tfjs-backend-wasm-threaded-simd.worker.js';`,
  },
  {
    find: `factoryConfig.mainScriptUrlOrBlob = new Blob([\`var WasmBackendModuleThreadedSimd = \` +
                    wasmFactoryThreadedSimd.toString()], { type: 'text/javascript' });`,
    replace: `factoryConfig.mainScriptUrlOrBlob = new URL((wasmPathPrefix ?? '') + 'tfjs-backend-wasm-threaded-simd.js', self.location.href).href;`,
  },
];

export function tfjsWasmThreads(): Plugin {
  return {
    name: 'facegate:tfjs-wasm-threads',
    apply: 'build',
    transform(code, id) {
      if (!TARGET.test(id)) return null;
      let patched = code;
      for (const { find, replace } of PATCHES) {
        if (!patched.includes(find)) {
          throw new Error(
            `tfjs-wasm-threads: ${id} no longer contains the code this patch replaces; check the tfjs-backend-wasm version.`,
          );
        }
        patched = patched.replace(find, replace);
      }
      return { code: patched, map: null };
    },
  };
}
