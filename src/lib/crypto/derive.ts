/**
 * Runs a passphrase derivation where it costs the page least: Argon2id in a worker when the page
 * can start one (the browser), in this thread otherwise (Node's tests and scripts, or a worker that
 * failed to start). PBKDF2 stays on WebCrypto, which is already asynchronous and native.
 */
import { argon2idBits, type Argon2idParams } from './kdf';
import type { KdfReply, KdfRequest } from './kdf-types';

// Outside any function that may be reactive: Vite finds the worker through this literal URL.
function startKdfWorker(): Worker {
  return new Worker(new URL('./kdf.worker.ts', import.meta.url), {
    type: 'module',
    name: 'facegate-kdf',
  });
}

const canUseWorker = () => typeof Worker === 'function' && typeof document !== 'undefined';

function inWorker(request: KdfRequest): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const worker = startKdfWorker();
    const done = () => worker.terminate();
    worker.onmessage = (event: MessageEvent<KdfReply>) => {
      done();
      if (event.data.ok) resolve(event.data.bits);
      else reject(new Error(event.data.error));
    };
    worker.onerror = (event) => {
      done();
      reject(new Error(event.message || 'The key derivation worker stopped.'));
    };
    worker.postMessage(request);
  });
}

/** 32 bytes of Argon2id output for `passphrase`. */
export async function deriveArgon2id(
  passphrase: string,
  salt: Uint8Array,
  params: Argon2idParams,
): Promise<Uint8Array> {
  if (canUseWorker()) {
    try {
      return await inWorker({ passphrase, salt: salt.slice(), params });
    } catch (e) {
      // Out of memory inside the worker would fail here too: only a worker that could not
      // start is worth a second try on this thread.
      if (e instanceof Error && /memory/i.test(e.message)) throw e;
      // Said aloud: the e2e treats it as a failure (the worker must run under the app's CSP).
      console.warn('facegate: the key derivation worker failed; deriving on the page.', e);
    }
  }
  return argon2idBits(passphrase, salt, params);
}
