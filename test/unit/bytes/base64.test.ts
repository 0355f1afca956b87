import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64 } from '../../../src/lib/bytes/base64';

/** The decoder before the chunked one: the strict pattern, then atob (fine on short text). */
const STRICT = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const reference = (text: string) =>
  STRICT.test(text) ? Uint8Array.from(atob(text), (c) => c.charCodeAt(0)) : null;

/** Pseudo-random bytes, fast for tens of megabytes (crypto.getRandomValues caps at 64 KiB). */
function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** 20 MiB rounded up to whole 3-byte groups, so MB20 + 1 and + 2 make both paddings. */
const MB20 = 3 * Math.ceil((20 * 1024 * 1024) / 3);

describe('base64 of 20 MB (more than a backup at the import limit holds)', () => {
  // 20 MB and one and two more: the three endings ('', '==', '=').
  const inputs = [MB20, MB20 + 1, MB20 + 2].map((n) => bytes(n, n));
  const encoded = inputs.map(bytesToBase64);

  it('encodes as Node does and decodes back bit-exact, without overflowing the stack', () => {
    for (const [i, input] of inputs.entries()) {
      const text = encoded[i] as string;
      expect(text.length).toBe(Math.ceil(input.length / 3) * 4);
      expect(text === Buffer.from(input).toString('base64'), `${input.length} bytes`).toBe(true);
      const back = base64ToBytes(text);
      expect(back).not.toBeNull();
      // One comparison of the whole buffers: toEqual on 20 M elements is slow.
      expect(Buffer.from(back as Uint8Array).equals(Buffer.from(input))).toBe(true);
    }
    expect(encoded.map((t) => t.slice(-2))).toEqual([
      expect.not.stringContaining('='),
      '==',
      expect.stringMatching(/^[^=]=$/),
    ]);
  });

  it('refuses a bad character or bad padding at the very end of the long text', () => {
    const whole = encoded[0] as string; // no padding
    const one = encoded[2] as string; // ends "x="
    const two = encoded[1] as string; // ends "==" (one byte in the last quad)
    const bad = [
      `${whole.slice(0, -1)}!`, // not in the alphabet
      `${whole.slice(0, -1)}-`, // base64url, not base64
      `${whole.slice(0, -1)}\u0141`, // its low byte is 'A'
      `${whole} `, // whitespace atob would skip
      `${whole.slice(0, -4)}\n${whole.slice(-3)}`, // a line break, same length
      `${whole}=`, // padding that pads nothing
      `${whole}====`,
      one.slice(0, -1), // the padding left off
      two.slice(0, -2),
      `${two.slice(0, -3)}===`, // three '='
      `${one.slice(0, -2)}=A`, // '=' before the end
      `${whole.slice(0, MB20)}=${whole.slice(MB20 + 1)}`, // '=' in the middle
    ];
    for (const text of bad) {
      // A boolean: a failure must not print 20 M numbers.
      expect(base64ToBytes(text) === null, JSON.stringify(text.slice(-6))).toBe(true);
    }
  });
});

describe('base64, short', () => {
  it('matches the standard encoding around the chunk boundary', () => {
    const chunk = 3 * 0x2000;
    for (const n of [0, 1, 2, 3, chunk - 1, chunk, chunk + 1, 2 * chunk + 2]) {
      const input = bytes(n, n + 7);
      expect(bytesToBase64(input)).toBe(Buffer.from(input).toString('base64'));
      expect(base64ToBytes(bytesToBase64(input))).toEqual(input);
    }
  });

  it('accepts and refuses exactly what the strict pattern did, on every kind of short text', () => {
    // Every string of up to 3 characters from a few telling ones, and their 4-character pads.
    const chars = ['A', 'z', '+', '/', '0', '=', ' ', '-', '_', '\n', 'é'];
    let texts = [''];
    for (let len = 1; len <= 3; len++) {
      texts = texts.concat(
        texts.filter((t) => t.length === len - 1).flatMap((t) => chars.map((c) => t + c)),
      );
    }
    const cases = texts.flatMap((t) => [t, `QUJD${t}`, `${t}QUJD`, `QU${t}`]);
    for (const text of cases) {
      expect(base64ToBytes(text), JSON.stringify(text)).toEqual(reference(text));
    }
    // Non-canonical padding bits are accepted, as before (atob ignores them).
    expect(base64ToBytes('QR==')).toEqual(reference('QR=='));
    expect(base64ToBytes('QUJ=')).toEqual(reference('QUJ='));
  });
});
