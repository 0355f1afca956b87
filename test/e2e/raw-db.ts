/**
 * Reads the app's IndexedDB as an attacker with a copy of the profile would: every record of
 * every store, with the raw API and none of the app's code, reduced to byte chunks to search.
 */
import type { Page } from '@playwright/test';
import { base64ToFloat32 } from '../../src/lib/store/export-format.ts';
import { openExport } from '../../src/lib/store/export-seal.ts';

export interface RawDump {
  stores: string[];
  finetuneRecords: number;
  /** Every typed array, ArrayBuffer and Blob found, as base64, with where it was. */
  chunks: { where: string; base64: string }[];
  /** Typed arrays or blobs in people/samples/finetune that are not a seal's iv/data. */
  plainTypedArrays: string[];
}

export async function rawRecords(page: Page): Promise<RawDump> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('facegate');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error('open failed'));
    });
    const stores = [...db.objectStoreNames];
    const chunks: { where: string; base64: string }[] = [];
    const plainTypedArrays: string[] = [];
    const toBase64 = (bytes: Uint8Array) => {
      let s = '';
      for (const b of bytes) s += String.fromCharCode(b);
      return btoa(s);
    };
    let finetuneRecords = 0;
    const walk = async (value: unknown, where: string, store: string): Promise<void> => {
      const sealedPart = /\.(sealed|thumb)\.(iv|data)$/.test(where);
      const guarded = ['people', 'samples', 'finetune'].includes(store);
      if (value instanceof Blob) {
        chunks.push({ where, base64: toBase64(new Uint8Array(await value.arrayBuffer())) });
        if (guarded) plainTypedArrays.push(`${where} (Blob)`);
      } else if (ArrayBuffer.isView(value)) {
        chunks.push({
          where,
          base64: toBase64(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)),
        });
        if (guarded && !(sealedPart && value instanceof Uint8Array)) {
          plainTypedArrays.push(`${where} (${value.constructor.name})`);
        }
      } else if (value instanceof ArrayBuffer) {
        chunks.push({ where, base64: toBase64(new Uint8Array(value)) });
        if (guarded) plainTypedArrays.push(`${where} (ArrayBuffer)`);
      } else if (typeof value === 'string') {
        chunks.push({ where, base64: btoa(unescape(encodeURIComponent(value))) });
      } else if (Array.isArray(value)) {
        for (const [i, v] of value.entries()) await walk(v, `${where}[${i}]`, store);
      } else if (typeof value === 'object' && value !== null) {
        for (const [k, v] of Object.entries(value)) await walk(v, `${where}.${k}`, store);
      }
    };
    for (const store of stores) {
      const all = await new Promise<unknown[]>((resolve, reject) => {
        const req = db.transaction(store, 'readonly').objectStore(store).getAll();
        req.onsuccess = () => resolve(req.result as unknown[]);
        req.onerror = () => reject(req.error ?? new Error('read failed'));
      });
      if (store === 'finetune') finetuneRecords = all.length;
      for (const [i, record] of all.entries()) await walk(record, `${store}[${i}]`, store);
    }
    db.close();
    return { stores, finetuneRecords, chunks, plainTypedArrays };
  });
}

/** Every template and sample embedding in an exported file, decrypted with its passphrase. */
export async function exportedVectors(text: string, passphrase: string): Promise<Float32Array[]> {
  const plain = JSON.parse(await openExport(text, passphrase)) as {
    people: { template: string; samples: { embedding: string }[] }[];
  };
  const out: Float32Array[] = [];
  for (const p of plain.people) {
    for (const b64 of [p.template, ...p.samples.map((s) => s.embedding)]) {
      const v = base64ToFloat32(b64);
      if (v instanceof Float32Array) out.push(v);
    }
  }
  return out;
}

// Long enough that random ciphertext never matches by chance (the app's photos are JFIF JPEGs).
const JPEG = Buffer.from('JFIF\0', 'latin1');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Where a plaintext piece shows: any 16-byte run (four float32s) of a secret vector, as raw
 * bytes or inside a base64 string, or a JPEG or PNG header. Empty when none does.
 */
export function findPlaintext(
  chunks: RawDump['chunks'],
  secrets: readonly Float32Array[],
): string[] {
  const found: string[] = [];
  const runs: Buffer[] = [];
  for (const v of secrets) {
    const bytes = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    for (let at = 0; at + 16 <= bytes.length; at += 64) runs.push(bytes.subarray(at, at + 16));
  }
  for (const { where, base64 } of chunks) {
    const bytes = Buffer.from(base64, 'base64');
    if (bytes.includes(JPEG)) found.push(`${where}: JPEG header`);
    if (bytes.includes(PNG)) found.push(`${where}: PNG header`);
    for (const run of runs) {
      if (bytes.includes(run) || bytes.toString('latin1').includes(run.toString('base64'))) {
        found.push(`${where}: a run of a face vector`);
        break;
      }
    }
  }
  return found;
}
