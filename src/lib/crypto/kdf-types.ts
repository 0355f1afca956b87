/** The KDF worker's messages (kdf.worker.ts, derive.ts). */
import type { Argon2idParams } from './kdf';

export interface KdfRequest {
  passphrase: string;
  salt: Uint8Array;
  params: Argon2idParams;
}

export type KdfReply = { ok: true; bits: Uint8Array } | { ok: false; error: string };
