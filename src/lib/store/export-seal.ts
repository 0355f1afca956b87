/**
 * The encrypted backup file (format version 2): the version-1 JSON (export-format.ts), sealed with
 * AES-256-GCM under a key derived from a passphrase chosen for the file. The derivation is named in
 * the file with its parameters (crypto/kdf.ts): Argon2id now; PBKDF2-SHA256 in files from before,
 * which still open. A version that knows only PBKDF2 refuses an Argon2id file as "encrypted in a
 * way this version cannot read", so the version number stays 2: the envelope did not change. The file
 * carries no embedding, name or count in plain form. openExport() gives back version-1 text for
 * parseExport(); a plain version-1 file (made before encryption) is passed through as it is.
 */

import { ARGON2ID, parseKdf, type KdfParams } from '../crypto/kdf';
import {
  openBytes,
  passphraseFileKey,
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

const AAD = 'facegate-export/2';

export interface ExportFileV2 {
  format: typeof EXPORT_FORMAT;
  version: 2;
  /** Bounded by parseKdf(): a crafted file must not make the import hang on key derivation. */
  kdf: KdfParams & { salt: string };
  cipher: { name: 'AES-256-GCM'; iv: string };
  data: string;
}

function bytesFrom(text: unknown, what: string): Uint8Array {
  const bytes = typeof text === 'string' ? base64ToBytes(text) : null;
  if (!bytes) throw new ImportError(`This backup is damaged (${what}).`);
  return bytes;
}

/** `kdf` other than ARGON2ID only in tests, to make files as older versions did. */
export async function sealExport(
  text: string,
  passphrase: string,
  kdf: KdfParams = ARGON2ID,
): Promise<string> {
  const salt = randomBytes(16);
  const key = await passphraseFileKey(passphrase, salt, kdf);
  const sealed = await sealBytes(key, new TextEncoder().encode(text), AAD);
  const file: ExportFileV2 = {
    format: EXPORT_FORMAT,
    version: 2,
    kdf: { ...kdf, salt: bytesToBase64(salt) },
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
  const kdf = parseKdf(file.kdf);
  if (!kdf || !file.kdf || file.cipher?.name !== 'AES-256-GCM') {
    throw new ImportError('This backup is encrypted in a way this version cannot read.');
  }
  if (passphrase === '') {
    throw new ImportError('This backup is encrypted: enter the passphrase it was saved with.');
  }
  const salt = bytesFrom(file.kdf.salt, 'salt');
  const iv = bytesFrom(file.cipher.iv, 'nonce');
  const data = bytesFrom(file.data, 'contents');
  const key = await passphraseFileKey(passphrase, salt, kdf);
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
