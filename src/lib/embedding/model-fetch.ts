/**
 * One way to fetch a model file: fetch it, turn a network or HTTP failure into a ModelFileError a
 * person can read, and refuse bytes whose length or sha256 differs from what was expected (the
 * model manifest's `files`, or a pin in code such as vision/landmark-model-files.ts), since a
 * damaged download or an altered file must never run.
 *
 *   const bytes = await fetchModelFile(url, { path, bytes, sha256 }, { what: 'face landmark model' });
 *
 * Works in the page, in a worker and in Node (pass `fetch` in tests).
 */

export class ModelFileError extends Error {
  override name = 'ModelFileError';
}

/** What a model file must be; `path` names it in messages. */
export interface ExpectedFile {
  path: string;
  bytes: number;
  /** Lower-case hex. */
  sha256: string;
}

export type Fetcher = (url: string) => Promise<Response>;

export interface ModelFetchOptions {
  /** Whose file it is, in the user's words (default 'face model'). */
  what?: string;
  /** Defaults to the global fetch. */
  fetch?: Fetcher;
}

export async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Refuses bytes whose length or hash differs from `expected`: damaged or tampered. */
export async function checkFileBytes(
  bytes: ArrayBuffer,
  expected: ExpectedFile,
  what = 'face model',
): Promise<void> {
  // The length first: a truncated download is the common case, and needs no hashing.
  if (bytes.byteLength !== expected.bytes) {
    throw new ModelFileError(
      `The ${what} file ${expected.path} is damaged (${bytes.byteLength} bytes, expected ${expected.bytes}). Reload the page to fetch it again.`,
    );
  }
  if ((await sha256Hex(bytes)) !== expected.sha256) {
    throw new ModelFileError(
      `The ${what} file ${expected.path} is damaged or was altered (its checksum does not match). Reload the page to fetch it again.`,
    );
  }
}

/** The last part of a URL's path, to name a file that has no expected entry. */
function fileName(url: string): string {
  const path = url.split(/[?#]/)[0] ?? url;
  return path.slice(path.lastIndexOf('/') + 1) || url;
}

/**
 * The bytes at `url`, checked against `expected` when given (null: the caller checks them, or
 * nothing pins them, as for the manifest itself). Every failure is a ModelFileError.
 */
export async function fetchModelFile(
  url: string,
  expected: ExpectedFile | null,
  options: ModelFetchOptions = {},
): Promise<ArrayBuffer> {
  const what = options.what ?? 'face model';
  const name = expected?.path ?? fileName(url);
  const get = options.fetch ?? ((u: string) => fetch(u));
  let bytes: ArrayBuffer;
  try {
    const response = await get(url);
    if (!response.ok) {
      throw new ModelFileError(
        `Could not load the ${what} (${name}): the server answered HTTP ${response.status}. Reload the page to try again.`,
      );
    }
    bytes = await response.arrayBuffer();
  } catch (cause) {
    if (cause instanceof ModelFileError) throw cause;
    throw new ModelFileError(
      `Could not load the ${what} (${name}): ${cause instanceof Error ? cause.message : String(cause)}. Check the connection and reload the page.`,
      { cause },
    );
  }
  if (expected) await checkFileBytes(bytes, expected, what);
  return bytes;
}
