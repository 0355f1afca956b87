/**
 * The encrypted backup file (format version 2): the version-1 JSON (export-format.ts), sealed with
 * AES-256-GCM under a key derived from a passphrase chosen for the file (PBKDF2-SHA256). The file
 * carries no embedding, name or count in plain form. openExport() gives back version-1 text for
 * parseExport(); a plain version-1 file (made before encryption) is passed through as it is.
 */

import {
  openBytes,
  passphraseFileKey,
  PBKDF2_ITERATIONS,
  randomBytes,
  sealBytes,
  SealBrokenError,
} from '../crypto/seal';
import { base64ToBytes, bytesToBase64 } from '../bytes/base64';
import { EXPORT_FORMAT, ImportError } from './export-format';

export const SEALED_EXPORT_VERSION = 2;

/**
 * A backup larger than this is refused before it is read. Export's own file of 1,000 people with
 * four views is 17.9 MiB (each 512-float vector is base64 in the JSON, sealed, then base64 again);
 * the rest is room for people imported with more views. Export refuses to write a larger file.
 */
export const IMPORT_MAX_BYTES = 24 * 1024 * 1024;

/** Refused outside this range: a crafted file must not make the import hang on key derivation. */
const ITERATIONS_RANGE = [100_000, 10_000_000] as const;
const AAD = 'facegate-export/2';

export interface ExportFileV2 {
  format: typeof EXPORT_FORMAT;
  version: 2;
  kdf: { name: 'PBKDF2-SHA256'; iterations: number; salt: string };
  cipher: { name: 'AES-256-GCM'; iv: string };
  data: string;
}

function bytesFrom(text: unknown, what: string): Uint8Array {
  const bytes = typeof text === 'string' ? base64ToBytes(text) : null;
  if (!bytes) throw new ImportError(`This backup is damaged (${what}).`);
  return bytes;
}

export async function sealExport(text: string, passphrase: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await passphraseFileKey(passphrase, salt, PBKDF2_ITERATIONS);
  const sealed = await sealBytes(key, new TextEncoder().encode(text), AAD);
  const file: ExportFileV2 = {
    format: EXPORT_FORMAT,
    version: 2,
    kdf: { name: 'PBKDF2-SHA256', iterations: PBKDF2_ITERATIONS, salt: bytesToBase64(salt) },
    cipher: { name: 'AES-256-GCM', iv: bytesToBase64(sealed.iv) },
    data: bytesToBase64(sealed.data),
  };
  return JSON.stringify(file);
}

/** The file is sealed (needs a passphrase) or plain (a version-1 backup); null: neither. */
export function exportKind(text: string): 'sealed' | 'plain' | null {
  try {
    const data = JSON.parse(text) as { format?: unknown; version?: unknown };
    if (data.format !== EXPORT_FORMAT) return null;
    return data.version === SEALED_EXPORT_VERSION ? 'sealed' : 'plain';
  } catch {
    return null;
  }
}

/** The backup's version-1 text; ImportError with a message for the user when it cannot be had. */
export async function openExport(text: string, passphrase: string): Promise<string> {
  const kind = exportKind(text);
  if (kind !== 'sealed') return text;
  const file = JSON.parse(text) as Partial<ExportFileV2>;
  const iterations = file.kdf?.iterations;
  if (
    file.kdf?.name !== 'PBKDF2-SHA256' ||
    file.cipher?.name !== 'AES-256-GCM' ||
    typeof iterations !== 'number' ||
    !Number.isInteger(iterations) ||
    iterations < ITERATIONS_RANGE[0] ||
    iterations > ITERATIONS_RANGE[1]
  ) {
    throw new ImportError('This backup is encrypted in a way this version cannot read.');
  }
  if (passphrase === '') {
    throw new ImportError('This backup is encrypted: enter the passphrase it was saved with.');
  }
  const salt = bytesFrom(file.kdf.salt, 'salt');
  const iv = bytesFrom(file.cipher.iv, 'nonce');
  const data = bytesFrom(file.data, 'contents');
  const key = await passphraseFileKey(passphrase, salt, iterations);
  try {
    return new TextDecoder().decode(await openBytes(key, { iv, data }, AAD));
  } catch (e) {
    if (e instanceof SealBrokenError) {
      throw new ImportError(
        'Wrong passphrase for this backup (or the file is damaged); nothing was imported.',
      );
    }
    throw e;
  }
}
