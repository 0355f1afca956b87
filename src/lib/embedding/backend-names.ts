/** The tfjs backends the app can use, without importing tfjs (the page's bundle stays small). */
export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/**
 * `?backend=webgl` (or webgpu, wasm, cpu) in the page's address skips the probe and uses that
 * one: a diagnostic, and how the e2e suite puts the app on a GPU backend it can then lose.
 */
export function forcedBackend(search = globalThis.location?.search ?? ''): BackendName | null {
  const asked = new URLSearchParams(search).get('backend');
  return (BACKENDS as readonly string[]).includes(asked ?? '') ? (asked as BackendName) : null;
}
