/**
 * The Content-Security-Policy directives of the app, in order.
 * `connect-src 'self'` is the privacy promise in code: the page cannot send a byte to another origin.
 * `wasm-unsafe-eval` lets MediaPipe and tfjs compile their WebAssembly without allowing JS eval.
 */
export function cspDirectives(opts: { dev: boolean }): string[] {
  return [
    "default-src 'self'",
    // Vite's dev client needs to open a websocket to its own host for hot reload.
    opts.dev ? "connect-src 'self' ws: wss:" : "connect-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    // Every worker is a file of the app, tfjs's threaded-wasm pthreads included
    // (tfjs-wasm-threads-plugin.ts): none starts from a blob: script.
    "worker-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob: mediastream:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ];
}

/**
 * Directives a `<meta http-equiv="Content-Security-Policy">` cannot carry: browsers ignore them
 * there (CSP3 §3.3: frame-ancestors, report-uri and sandbox are header-only), and Chromium logs a
 * console error for each. A static host that wants them must send them as a header.
 */
export const HEADER_ONLY_DIRECTIVES = ['frame-ancestors', 'report-uri', 'sandbox'];

/** The production policy as a meta tag carries it: without the header-only directives. */
export function metaContentSecurityPolicy(): string {
  return cspDirectives({ dev: false })
    .filter((directive) => !HEADER_ONLY_DIRECTIVES.includes(directive.split(/\s+/)[0] ?? ''))
    .join('; ');
}

/**
 * Response headers for every server of the app (vite dev, vite preview, any static host that can
 * set headers; the built index.html also carries the policy as a meta tag, csp-meta-plugin.ts).
 * COOP/COEP make the page cross-origin isolated so tfjs-wasm can use threads (SharedArrayBuffer).
 */
export function securityHeaders(opts: { dev: boolean }): Record<string, string> {
  return {
    'Content-Security-Policy': cspDirectives(opts).join('; '),
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'Permissions-Policy': 'camera=(self), microphone=(), geolocation=()',
  };
}
