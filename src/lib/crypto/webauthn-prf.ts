/**
 * A platform authenticator (fingerprint, face, PIN of this device) as a second way to the data
 * key: WebAuthn's PRF extension gives 32 secret bytes per credential and input, which never exist
 * anywhere but inside the authenticator until it is used, so a copied profile lacks them.
 */

import { randomBytes } from './seal';

/** The authenticator said no, was cancelled, or lacks PRF; `message` is written for the user. */
export class AuthenticatorError extends Error {
  override name = 'AuthenticatorError';
}

const buf = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer;

interface PrfOutputs {
  prf?: { enabled?: boolean; results?: { first?: ArrayBuffer | ArrayBufferView } };
}

function prfFirst(credential: Credential | null): Uint8Array | null {
  if (!(credential instanceof PublicKeyCredential)) return null;
  const first = (credential.getClientExtensionResults() as PrfOutputs).prf?.results?.first;
  if (!first) return null;
  return ArrayBuffer.isView(first)
    ? new Uint8Array(first.buffer, first.byteOffset, first.byteLength).slice()
    : new Uint8Array(first.slice(0));
}

/** Whether this browser offers a user-verifying platform authenticator at all. */
export async function platformAuthenticatorAvailable(): Promise<boolean> {
  if (typeof PublicKeyCredential === 'undefined') return false;
  try {
    return await PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable();
  } catch {
    return false;
  }
}

function asUserError(e: unknown): AuthenticatorError {
  if (e instanceof AuthenticatorError) return e;
  const name = (e as { name?: unknown } | null)?.name;
  if (name === 'NotAllowedError') {
    return new AuthenticatorError('The authenticator was cancelled or did not confirm it was you.');
  }
  return new AuthenticatorError(
    `The authenticator could not be used: ${e instanceof Error ? e.message : String(e)}`,
  );
}

/** The PRF output of `credentialId` for `salt` (the authenticator asks the user to confirm). */
export async function evaluatePrf(credentialId: Uint8Array, salt: Uint8Array): Promise<Uint8Array> {
  try {
    const credential = await navigator.credentials.get({
      publicKey: {
        challenge: buf(randomBytes(32)),
        allowCredentials: [{ type: 'public-key', id: buf(credentialId) }],
        userVerification: 'required',
        timeout: 60_000,
        extensions: { prf: { eval: { first: buf(salt) } } },
      },
    });
    const out = prfFirst(credential);
    if (!out)
      throw new AuthenticatorError('This authenticator cannot derive keys (no PRF support).');
    return out;
  } catch (e) {
    throw asUserError(e);
  }
}

/** Makes a credential on this device's authenticator and returns its PRF output for a new salt. */
export async function registerPrf(): Promise<{
  credentialId: Uint8Array;
  salt: Uint8Array;
  prfOutput: Uint8Array;
}> {
  const salt = randomBytes(32);
  let credential: Credential | null;
  try {
    credential = await navigator.credentials.create({
      publicKey: {
        rp: { name: 'facegate' },
        user: { id: buf(randomBytes(16)), name: 'facegate vault', displayName: 'facegate vault' },
        challenge: buf(randomBytes(32)),
        pubKeyCredParams: [
          { type: 'public-key', alg: -7 },
          { type: 'public-key', alg: -257 },
        ],
        authenticatorSelection: {
          authenticatorAttachment: 'platform',
          userVerification: 'required',
          residentKey: 'discouraged',
        },
        timeout: 60_000,
        extensions: { prf: { eval: { first: buf(salt) } } },
      },
    });
  } catch (e) {
    throw asUserError(e);
  }
  if (!(credential instanceof PublicKeyCredential)) {
    throw new AuthenticatorError('The authenticator made no credential.');
  }
  const outputs = credential.getClientExtensionResults() as PrfOutputs;
  if (outputs.prf?.enabled === false || outputs.prf === undefined) {
    throw new AuthenticatorError('This authenticator cannot derive keys (no PRF support).');
  }
  const credentialId = new Uint8Array(credential.rawId.slice(0));
  // Some authenticators only evaluate PRF on an assertion, not at creation.
  const prfOutput = prfFirst(credential) ?? (await evaluatePrf(credentialId, salt));
  return { credentialId, salt, prfOutput };
}
