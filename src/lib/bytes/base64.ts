/**
 * Base64 of raw bytes, shared by the backup files and the lab's data file.
 *
 * Both directions work in bounded pieces: a backup at the import limit carries ~24 M base64
 * characters, where a regex over the whole string (its repeated group keeps a backtracking entry
 * per quad) or one argument per byte overflows the stack, and repeated `+=` of megabytes copies.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Each character code's 6-bit value; -1 for anything not in the alphabet ('=' included). */
const VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

/** Bytes per encoded piece: a multiple of 3 (pieces join without padding in between). */
const ENCODE_CHUNK = 3 * 0x2000;

export function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += ENCODE_CHUNK) {
    // One argument per byte, 24,576 at most: far under any engine's argument limit.
    parts.push(btoa(String.fromCharCode(...bytes.subarray(i, i + ENCODE_CHUNK))));
  }
  return parts.join('');
}

/** The 6-bit value of text[i] (codes past 255 are not base64 either); -1 if none. */
function sextet(text: string, i: number): number {
  const code = text.charCodeAt(i);
  return code < 256 ? (VALUE[code] as number) : -1;
}

/**
 * Strict decoding, as the RFC 4648 alphabet with padding to a whole quad and nothing else: no
 * whitespace, no missing padding (atob tolerates both); null if the text is not that. The bytes
 * own a buffer of exactly their length: callers view it as floats or signed bytes.
 */
export function base64ToBytes(text: string): Uint8Array | null {
  const n = text.length;
  if (n % 4 !== 0) return null;
  // '=' only as the last one or two characters.
  const pad = n > 0 && text.charCodeAt(n - 1) === 61 ? (text.charCodeAt(n - 2) === 61 ? 2 : 1) : 0;
  const out = new Uint8Array((n / 4) * 3 - pad);
  const full = pad === 0 ? n : n - 4;
  let o = 0;
  for (let i = 0; i < full; i += 4) {
    const a = sextet(text, i);
    const b = sextet(text, i + 1);
    const c = sextet(text, i + 2);
    const d = sextet(text, i + 3);
    // Any -1 makes the OR negative.
    if ((a | b | c | d) < 0) return null;
    const triple = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = triple >> 16;
    out[o++] = (triple >> 8) & 0xff;
    out[o++] = triple & 0xff;
  }
  if (pad > 0) {
    const a = sextet(text, full);
    const b = sextet(text, full + 1);
    // "xy==" carries one byte, "xyz=" two.
    const c = pad === 1 ? sextet(text, full + 2) : 0;
    if ((a | b | c) < 0) return null;
    const triple = (a << 18) | (b << 12) | (c << 6);
    out[o++] = triple >> 16;
    if (pad === 1) out[o++] = (triple >> 8) & 0xff;
  }
  return out;
}
