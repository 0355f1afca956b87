/**
 * Response headers for every server of the app (vite dev, vite preview, any static host).
 * `connect-src 'self'` is the privacy promise in code: the page cannot send a byte to another origin.
 * `wasm-unsafe-eval` lets MediaPipe and tfjs compile their WebAssembly without allowing JS eval.
 * COOP/COEP make the page cross-origin isolated so tfjs-wasm can use threads (SharedArrayBuffer).
 */
export function securityHeaders(opts: { dev: boolean }): Record<string, string> {
  const csp = [
    "default-src 'self'",
    // Vite's dev client needs to open a websocket to its own host for hot reload.
    opts.dev ? "connect-src 'self' ws: wss:" : "connect-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self' blob:",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob: mediastream:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'Content-Security-Policy': csp,
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'Permissions-Policy': 'camera=(self), microphone=(), geolocation=()',
  };
}
