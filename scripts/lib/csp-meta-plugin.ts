import type { Plugin } from 'vite';
import { metaContentSecurityPolicy } from './security-headers.ts';

/**
 * Puts the production Content-Security-Policy (security-headers.ts, the same source as the
 * servers' header) into the built HTML as `<meta http-equiv="Content-Security-Policy">`, right
 * after <meta charset>, so it is in force before any script or style loads. The policy then holds
 * wherever the build is served as static files, even by a host that sends no CSP header.
 *
 * A meta policy cannot do everything a header does: frame-ancestors (and report-uri, sandbox) are
 * ignored there, so they are left out (security-headers.ts HEADER_ONLY_DIRECTIVES), and a worker
 * loaded from its own URL (the fine-tune worker) gets its policy only from that response's header.
 * Where both the header and the meta tag arrive (vite preview), the browser enforces both; they
 * are the same policy.
 *
 * Build only: in dev the header allows Vite's websocket, which this production policy would block.
 */
export function cspMetaTag(): Plugin {
  return {
    name: 'facegate-csp-meta',
    apply: 'build',
    transformIndexHtml: {
      order: 'pre',
      handler(html, { filename }) {
        // Right after <meta charset> (which must stay within the first 1024 bytes), before any
        // script or style.
        const charset = /<meta charset=[^>]*>/i;
        if (!charset.test(html))
          throw new Error(`${filename}: no <meta charset> to put the CSP after`);
        const content = metaContentSecurityPolicy()
          .replaceAll('&', '&amp;')
          .replaceAll('"', '&quot;');
        return html.replace(
          charset,
          (tag) => `${tag}\n    <meta http-equiv="Content-Security-Policy" content="${content}" />`,
        );
      },
    },
  };
}
