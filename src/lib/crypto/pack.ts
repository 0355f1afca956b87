/**
 * Turns a record's secret part (numbers, typed arrays, strings) into bytes and back, so it can
 * be sealed as one AES-GCM message. Typed arrays travel as raw bytes after a JSON header, so a
 * 112x112 crop costs its own size, not a base64 or decimal blow-up, and floats stay bit-exact.
 */

type Kind = 'f32' | 'u8' | 'u8c';
interface Ref {
  $bytes: Kind;
  at: number;
  length: number;
}

const isRef = (v: unknown): v is Ref =>
  typeof v === 'object' && v !== null && typeof (v as { $bytes?: unknown }).$bytes === 'string';

export function pack(value: unknown): Uint8Array {
  const parts: Uint8Array[] = [];
  let offset = 0;
  const add = (kind: Kind, view: ArrayBufferView, length: number): Ref => {
    // 4-byte aligned so a Float32Array can view the bytes in place when unpacked.
    const padded = Math.ceil(view.byteLength / 4) * 4;
    const bytes = new Uint8Array(padded);
    bytes.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
    parts.push(bytes);
    const ref: Ref = { $bytes: kind, at: offset, length };
    offset += padded;
    return ref;
  };
  const header = JSON.stringify(value, (_key, v: unknown) => {
    // JSON has no NaN or Infinity (it writes null): kept as tagged strings instead.
    if (typeof v === 'number' && !Number.isFinite(v)) return { $num: String(v) };
    if (v instanceof Float32Array) return add('f32', v, v.length);
    if (v instanceof Uint8ClampedArray) return add('u8c', v, v.length);
    if (v instanceof Uint8Array) return add('u8', v, v.length);
    return v;
  });
  const head = new TextEncoder().encode(header);
  const headPadded = Math.ceil(head.byteLength / 4) * 4;
  const out = new Uint8Array(4 + headPadded + offset);
  new DataView(out.buffer).setUint32(0, head.byteLength, true);
  out.set(head, 4);
  let at = 4 + headPadded;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

export function unpack<T>(bytes: Uint8Array): T {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headLength = view.getUint32(0, true);
  const head = new TextDecoder().decode(bytes.subarray(4, 4 + headLength));
  const base = 4 + Math.ceil(headLength / 4) * 4;
  return JSON.parse(head, (_key, v: unknown) => {
    const num = (v as { $num?: unknown } | null)?.$num;
    if (typeof v === 'object' && v !== null && typeof num === 'string') return Number(num);
    if (!isRef(v)) return v;
    const start = base + v.at;
    // Copies, so each array owns a compact buffer (and none aliases the decrypted message).
    if (v.$bytes === 'f32') {
      return new Float32Array(bytes.slice(start, start + v.length * 4).buffer);
    }
    const raw = bytes.slice(start, start + v.length);
    return v.$bytes === 'u8c' ? new Uint8ClampedArray(raw.buffer) : raw;
  }) as T;
}
