/**
 * One Argon2id derivation off the main thread: ~0.5 s of work that would otherwise freeze the
 * page (no "Checking…" spinner, no countdown). One request per worker; the page ends it after.
 */
import { argon2idBits } from './kdf';
import type { KdfReply, KdfRequest } from './kdf-types';

self.onmessage = async (event: MessageEvent<KdfRequest>) => {
  const { passphrase, salt, params } = event.data;
  let reply: KdfReply;
  try {
    reply = { ok: true, bits: await argon2idBits(passphrase, salt, params) };
  } catch (e) {
    reply = { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
  // Transferred: no copy of the key bytes stays in this worker.
  self.postMessage(reply, reply.ok ? [reply.bits.buffer] : []);
};
