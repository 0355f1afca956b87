/**
 * Reads the database the way an attacker with a copy of the profile would: the raw IndexedDB API
 * and none of the app's code. Shared by the at-rest and vault tests.
 */

export const STORE_NAMES = ['people', 'samples', 'settings', 'attempts', 'finetune', 'vault'];

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('request failed'));
  });
}

/** Every record of every store of `name`, opened at whatever version it has now. */
export async function rawRecords(name = 'facegate'): Promise<Record<string, unknown[]>> {
  const db = await request(indexedDB.open(name));
  try {
    const names = [...db.objectStoreNames];
    const tx = db.transaction(names, 'readonly');
    const out: Record<string, unknown[]> = {};
    for (const n of names) out[n] = await request(tx.objectStore(n).getAll());
    return out;
  } finally {
    db.close();
  }
}

const hex = (v: ArrayBufferView | ArrayBuffer) =>
  Buffer.from(
    v instanceof ArrayBuffer
      ? new Uint8Array(v)
      : new Uint8Array(v.buffer, v.byteOffset, v.byteLength),
  ).toString('hex');

/**
 * A canonical text of a stored value, byte arrays as their type and hex, so two reads can be
 * compared for byte-identity (toEqual would not tell a Uint8Array from a Uint8ClampedArray).
 */
export function dump(value: unknown): string {
  return JSON.stringify(value, function (this: unknown, _key, v: unknown) {
    if (ArrayBuffer.isView(v)) return `<${v.constructor.name}:${hex(v)}>`;
    if (v instanceof ArrayBuffer) return `<ArrayBuffer:${hex(v)}>`;
    if (v instanceof Blob) throw new Error('dump() cannot read a Blob: use rawDump()');
    if (typeof v === 'number' && !Number.isFinite(v)) return `<number:${String(v)}>`;
    if (v === undefined) return '<undefined>';
    return v;
  });
}

/** A copy of `value` with each Blob replaced by its type and bytes (so dump() can read it). */
async function readBlobs(value: unknown): Promise<unknown> {
  if (value instanceof Blob) {
    return { blob: value.type, bytes: new Uint8Array(await value.arrayBuffer()) };
  }
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value;
  if (value instanceof ArrayBuffer) return value;
  if (Array.isArray(value)) return Promise.all(value.map(readBlobs));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = await readBlobs(v);
  return out;
}

/** dump() of every record of the given stores, in key order. */
export async function rawDump(stores: readonly string[], name = 'facegate'): Promise<string> {
  const all = await rawRecords(name);
  return dump(await readBlobs(stores.map((s) => [s, all[s]])));
}
