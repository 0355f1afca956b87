import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ARGON2ID, PBKDF2_ITERATIONS } from '../../../src/lib/crypto/kdf';
import { normalize, template } from '../../../src/lib/math/match';
import { exportData, ImportError, parseExport } from '../../../src/lib/store/export-format';
import type { ExportFileV1 } from '../../../src/lib/store/export-format';
import { bytesToBase64 } from '../../../src/lib/bytes/base64';
import {
  exportKind,
  openExport,
  SEALED_EXPORT_VERSION,
  sealExport,
} from '../../../src/lib/store/export-seal';
import type { ExportFileV2 } from '../../../src/lib/store/export-seal';
import type { PersonWithSamples } from '../../../src/lib/store/schema';

const MODEL = 'model-export';
const DIM = 16;
const PASS = 'backup passphrase';
let seed = 1;

function unit(): Float32Array {
  const out = new Float32Array(DIM);
  for (let i = 0; i < DIM; i++) out[i] = Math.sin(seed++ * 12.9898) * 43758.5453 - 0.5;
  return normalize(out);
}

function person(id: string, name: string, n: number): PersonWithSamples {
  const samples = Array.from({ length: n }, unit);
  return {
    person: {
      id,
      name,
      modelId: MODEL,
      template: template(samples),
      createdAt: 1,
      updatedAt: 2,
      thumbnail: null,
    },
    samples: samples.map((embedding, i) => ({
      id: `${id}-s${i}`,
      personId: id,
      modelId: MODEL,
      embedding,
      createdAt: 3,
    })),
  };
}

const NAMES = ['Annabelle Lee', 'Zoë Ürgüplü'];
let plain: string;
let sealed: string;

beforeAll(async () => {
  plain = exportData([person('p1', NAMES[0]!, 3), person('p2', NAMES[1]!, 2)], MODEL, 1234);
  sealed = await sealExport(plain, PASS);
});

afterEach(() => {
  vi.restoreAllMocks();
});

/**
 * Counts key derivations: each ends in one importKey (the PBKDF2 material, or the Argon2id output
 * as an AES key); opening the sealed data itself imports nothing.
 */
const watchDerivations = () => vi.spyOn(crypto.subtle, 'importKey');

const fromBase64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

/** A copy of the sealed file with `edit` applied. */
function edited(edit: (f: ExportFileV2 & Record<string, unknown>) => void): string {
  const f = JSON.parse(sealed) as ExportFileV2 & Record<string, unknown>;
  edit(f);
  return JSON.stringify(f);
}

async function refusal(text: string, passphrase = PASS): Promise<ImportError> {
  try {
    await openExport(text, passphrase);
  } catch (e) {
    expect(e).toBeInstanceOf(ImportError);
    return e as ImportError;
  }
  throw new Error('expected a refusal');
}

describe('sealed export (format version 2)', () => {
  it('opens to exactly the text that was sealed', async () => {
    expect(await openExport(sealed, PASS)).toBe(plain);
    // And that text is a valid version-1 backup.
    const parsed = parseExport(await openExport(sealed, PASS), { modelId: MODEL, dim: DIM });
    expect(parsed.people.map((p) => p.name)).toEqual(NAMES);
  });

  it('is a version-2 facegate file with a salted Argon2id key and a 96-bit nonce', () => {
    const f = JSON.parse(sealed) as ExportFileV2;
    expect(f.format).toBe('facegate-export');
    expect(f.version).toBe(SEALED_EXPORT_VERSION);
    expect(SEALED_EXPORT_VERSION).toBe(2);
    expect(f.kdf).toEqual({
      name: 'Argon2id',
      memoryKiB: 65_536,
      iterations: 3,
      parallelism: 1,
      salt: f.kdf.salt,
    });
    expect(f.kdf).toMatchObject(ARGON2ID);
    expect(fromBase64(f.kdf.salt)).toHaveLength(16);
    expect(f.cipher.name).toBe('AES-256-GCM');
    expect(fromBase64(f.cipher.iv)).toHaveLength(12);
    // Ciphertext of the whole text plus the 16-byte tag.
    expect(fromBase64(f.data)).toHaveLength(new TextEncoder().encode(plain).length + 16);
    expect(Object.keys(f).sort()).toEqual(['cipher', 'data', 'format', 'kdf', 'version']);
  });

  it('carries no name, no embedding, no model and no count in plain form', () => {
    const v1 = JSON.parse(plain) as ExportFileV1;
    for (const name of NAMES) expect(sealed).not.toContain(name);
    expect(sealed).not.toContain('Annabelle');
    expect(sealed).not.toContain(MODEL);
    expect(sealed).not.toContain('"people"');
    const vectors = v1.people.flatMap((p) => [p.template, ...p.samples.map((s) => s.embedding)]);
    expect(vectors).toHaveLength(2 + 5);
    for (const b64 of vectors) {
      expect(sealed).not.toContain(b64);
      // Nor any 16-character piece of it (12 bytes of floats).
      for (let i = 0; i + 16 <= b64.length; i += 4)
        expect(sealed).not.toContain(b64.slice(i, i + 16));
    }
  });

  it('seals the same text differently each time (fresh salt and nonce)', async () => {
    const again = await sealExport(plain, PASS);
    const a = JSON.parse(sealed) as ExportFileV2;
    const b = JSON.parse(again) as ExportFileV2;
    expect(b.kdf.salt).not.toBe(a.kdf.salt);
    expect(b.cipher.iv).not.toBe(a.cipher.iv);
    expect(b.data).not.toBe(a.data);
    expect(await openExport(again, PASS)).toBe(plain);
  });

  it('round-trips any unicode text', async () => {
    const text = JSON.stringify({ format: 'facegate-export', version: 1, note: '李 🔑 é\u0301' });
    expect(await openExport(await sealExport(text, 'ünïcödé pass 🔑'), 'ünïcödé pass 🔑')).toBe(
      text,
    );
  });

  it('a wrong passphrase is an ImportError that says so', async () => {
    const derive = watchDerivations();
    const e = await refusal(sealed, 'backup passphrasE');
    expect(derive).toHaveBeenCalledOnce(); // the spy sees derivations when there are some
    expect(e.message).toMatch(/passphrase/i);
    expect(e.message).toMatch(/nothing was imported/);
  });

  it('an empty passphrase on a sealed file asks for it', async () => {
    const derive = watchDerivations();
    const e = await refusal(sealed, '');
    expect(e.message).toMatch(/encrypted: enter the passphrase/);
    expect(derive).not.toHaveBeenCalled();
  });

  it('a plain version-1 file passes through unchanged, whatever the passphrase', async () => {
    expect(await openExport(plain, '')).toBe(plain);
    expect(await openExport(plain, PASS)).toBe(plain);
    // Garbage too: parseExport is the one that refuses it.
    expect(await openExport('not json', PASS)).toBe('not json');
  });

  it('exportKind tells sealed, plain and neither apart', () => {
    expect(exportKind(sealed)).toBe('sealed');
    expect(exportKind(plain)).toBe('plain');
    expect(exportKind('{"format":"facegate-export","version":1}')).toBe('plain');
    for (const junk of [
      '',
      'not json',
      '{"format": ',
      'null',
      '7',
      '[]',
      '{}',
      '{"format":"other","version":2}',
    ]) {
      expect(exportKind(junk), junk).toBeNull();
    }
  });

  it('refuses crafted key-derivation settings at once, without deriving', async () => {
    const argon = (edit: Record<string, unknown>) =>
      edited((f) => Object.assign(f.kdf, edit as Partial<ExportFileV2['kdf']>));
    const crafted = [
      argon({ memoryKiB: 4 * 1024 * 1024 }),
      argon({ memoryKiB: 1024 }),
      argon({ iterations: 1_000_000 }),
      argon({ iterations: 0 }),
      argon({ parallelism: 255 }),
      argon({ memoryKiB: 256 * 1024, iterations: 16 }),
      argon({ memoryKiB: '65536' }),
      argon({ name: 'Argon2d' }),
      argon({ name: 'PBKDF2-SHA256', iterations: 1e12 }),
      argon({ name: 'PBKDF2-SHA256', iterations: 1 }),
      edited((f) => (f.kdf.iterations = 1e12)),
      // t = 1 is a valid Argon2id pass count; as PBKDF2 rounds it is refused (above).
      edited((f) => (f.kdf.iterations = 600_000.5)),
      edited((f) => (f.kdf.iterations = '600000' as unknown as number)),
      edited((f) => (f.kdf.name = 'scrypt' as 'Argon2id')),
      edited((f) => delete (f as Partial<ExportFileV2>).kdf),
      edited((f) => delete (f as Partial<ExportFileV2>).cipher),
      edited((f) => (f.cipher.name = 'AES-128-CBC' as 'AES-256-GCM')),
    ];
    const derive = watchDerivations();
    for (const text of crafted) {
      const started = performance.now();
      const e = await refusal(text);
      expect(e.message).toMatch(/encrypted in a way this version cannot read/);
      expect(performance.now() - started, text).toBeLessThan(1_000);
    }
    expect(derive).not.toHaveBeenCalled();
  });

  it('a tampered byte anywhere is an ImportError and nothing comes out', async () => {
    const flip = (b64: string, at: number) => {
      const bytes = fromBase64(b64);
      bytes[at] = (bytes[at] as number) ^ 0x01;
      return bytesToBase64(bytes);
    };
    const dataLength = fromBase64((JSON.parse(sealed) as ExportFileV2).data).length;
    const tampered = [
      edited((f) => (f.data = flip(f.data, 0))),
      edited((f) => (f.data = flip(f.data, Math.floor(dataLength / 2)))),
      edited((f) => (f.data = flip(f.data, dataLength - 1))), // the tag
      edited((f) => (f.cipher.iv = flip(f.cipher.iv, 3))),
      edited((f) => (f.kdf.salt = flip(f.kdf.salt, 0))),
      edited((f) => (f.data = bytesToBase64(fromBase64(f.data).subarray(0, dataLength - 1)))),
    ];
    for (const text of tampered) {
      expect((await refusal(text)).message).toMatch(
        /Wrong passphrase for this backup \(or the file is damaged\)/,
      );
    }
  });

  it('damaged base64 is an ImportError naming the part', async () => {
    const damaged = async (edit: (f: ExportFileV2) => void) =>
      (await refusal(edited(edit))).message;
    expect(await damaged((f) => (f.data = 'not base64!'))).toMatch(/damaged \(contents\)/);
    expect(await damaged((f) => (f.cipher.iv = 'AAA'))).toMatch(/damaged \(nonce\)/);
    expect(await damaged((f) => (f.kdf.salt = 42 as unknown as string))).toMatch(
      /damaged \(salt\)/,
    );
  });

  it('bytesToBase64 matches the standard encoding, also past one chunk', () => {
    const big = Uint8Array.from({ length: 0x8000 * 2 + 5 }, (_, i) => (i * 7) & 0xff);
    expect(bytesToBase64(big)).toBe(Buffer.from(big).toString('base64'));
    expect(bytesToBase64(new Uint8Array(0))).toBe('');
  });
});

/**
 * A backup as versions before Argon2id wrote it, made here with WebCrypto alone (not with
 * sealExport), so the test holds whatever the new code does: PBKDF2-SHA256, 600,000 rounds.
 */
async function oldPbkdf2Backup(text: string, passphrase: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const material = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(passphrase),
    'PBKDF2',
    false,
    ['deriveKey'],
  );
  const key = await crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations: 600_000 },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt'],
  );
  const data = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: new TextEncoder().encode('facegate-export/2') },
    key,
    new TextEncoder().encode(text),
  );
  return JSON.stringify({
    format: 'facegate-export',
    version: 2,
    kdf: { name: 'PBKDF2-SHA256', iterations: 600_000, salt: bytesToBase64(salt) },
    cipher: { name: 'AES-256-GCM', iv: bytesToBase64(iv) },
    data: bytesToBase64(new Uint8Array(data)),
  });
}

describe('PBKDF2 backups from before Argon2id', () => {
  it('still open, to exactly the text that was sealed', async () => {
    const old = await oldPbkdf2Backup(plain, PASS);
    expect(exportKind(old)).toBe('sealed');
    expect(await openExport(old, PASS)).toBe(plain);
    const parsed = parseExport(await openExport(old, PASS), { modelId: MODEL, dim: DIM });
    expect(parsed.people.map((p) => p.name)).toEqual(NAMES);
  });

  it('a wrong passphrase is refused as for a new file', async () => {
    const old = await oldPbkdf2Backup(plain, PASS);
    expect((await refusal(old, 'not the passphrase')).message).toMatch(/Wrong passphrase/);
  });

  it('sealExport can still make one (for tests of old files), and it opens', async () => {
    const old = await sealExport(plain, PASS, {
      name: 'PBKDF2-SHA256',
      iterations: PBKDF2_ITERATIONS,
    });
    expect((JSON.parse(old) as ExportFileV2).kdf).toMatchObject({
      name: 'PBKDF2-SHA256',
      iterations: 600_000,
    });
    expect(await openExport(old, PASS)).toBe(plain);
  });

  it('what a version that reads only PBKDF2 checks refuses a new file (no silent misread)', () => {
    // The check of versions before Argon2id, verbatim in effect: the kdf must be PBKDF2-SHA256.
    const f = JSON.parse(sealed) as { version: number; kdf: { name: string } };
    expect(f.version).toBe(2);
    expect(f.kdf.name).not.toBe('PBKDF2-SHA256');
  });
});
