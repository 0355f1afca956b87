/**
 * Draws the app icon (a face outline in a rounded square) as PNGs for the web manifest:
 *   npx tsx scripts/make-icons.ts   -> public/icons/icon-192.png, icon-512.png, maskable-512.png
 * Drawn from geometry with 4x4 supersampling, so the icons are the project's own and reproducible.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { encodePng } from './lib/png.ts';

const BG = [15, 23, 42];
const FG = [56, 189, 248];

function inside(x: number, y: number, maskable: boolean): 'bg' | 'fg' | 'none' {
  // Coordinates in a 64-unit box, as in public/favicon.svg.
  const r = maskable ? 0 : 14;
  const cx = Math.min(Math.max(x, r), 64 - r);
  const cy = Math.min(Math.max(y, r), 64 - r);
  if (Math.hypot(x - cx, y - cy) > r && !maskable) return 'none';
  const s = maskable ? 0.8 : 1; // maskable icons keep content inside the 80 % safe zone
  const u = 32 + (x - 32) / s;
  const v = 32 + (y - 32) / s;
  const head = Math.abs(Math.hypot(u - 32, v - 28) - 13) < 2;
  const shoulders =
    v > 41 && v < 56 && Math.abs(Math.hypot(u - 32, (v - 54) * 1.0) - 18) < 2 && v < 54.5;
  return head || shoulders ? 'fg' : 'bg';
}

function icon(size: number, maskable: boolean): Buffer {
  const rgba = new Uint8Array(size * size * 4);
  const ss = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let fg = 0;
      let bg = 0;
      for (let i = 0; i < ss; i++) {
        for (let j = 0; j < ss; j++) {
          const hit = inside(
            ((px + (i + 0.5) / ss) * 64) / size,
            ((py + (j + 0.5) / ss) * 64) / size,
            maskable,
          );
          if (hit === 'fg') fg++;
          else if (hit === 'bg') bg++;
        }
      }
      const n = ss * ss;
      const a = (fg + bg) / n;
      const k = (py * size + px) * 4;
      for (let c = 0; c < 3; c++) {
        rgba[k + c] = a === 0 ? 0 : Math.round(((FG[c] ?? 0) * fg + (BG[c] ?? 0) * bg) / (fg + bg));
      }
      rgba[k + 3] = Math.round(255 * a);
    }
  }
  return encodePng(size, size, rgba);
}

mkdirSync('public/icons', { recursive: true });
writeFileSync('public/icons/icon-192.png', icon(192, false));
writeFileSync('public/icons/icon-512.png', icon(512, false));
writeFileSync('public/icons/maskable-512.png', icon(512, true));
console.log('wrote public/icons/icon-192.png, icon-512.png, maskable-512.png');
