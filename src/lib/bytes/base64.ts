/** Base64 of raw bytes, shared by the backup files and the lab's data file. */

const STRICT = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  // Chunked: String.fromCharCode with one argument per byte overflows the stack on big arrays.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Strict decoding (atob alone tolerates whitespace and missing padding); null if not base64. */
export function base64ToBytes(text: string): Uint8Array | null {
  if (!STRICT.test(text)) return null;
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
