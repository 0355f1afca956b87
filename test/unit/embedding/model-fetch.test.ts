/// <reference types="node" />
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  fetchModelFile,
  ModelFileError,
  type ExpectedFile,
  type Fetcher,
} from '../../../src/lib/embedding/model-fetch';

const body = Uint8Array.from({ length: 300 }, (_, i) => (i * 31 + 7) & 0xff);
const expected: ExpectedFile = {
  path: 'weights.bin',
  bytes: body.byteLength,
  sha256: createHash('sha256').update(body).digest('hex'),
};

/** A fetch that answers every URL with `bytes` and `status`, and records what was asked. */
function fakeFetch(bytes: Uint8Array, status = 200): Fetcher & { urls: string[] } {
  const urls: string[] = [];
  const f = (url: string) => {
    urls.push(url);
    return Promise.resolve(new Response(bytes.slice(), { status }));
  };
  return Object.assign(f, { urls });
}

async function failure(promise: Promise<unknown>): Promise<ModelFileError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelFileError);
  return error as ModelFileError;
}

describe('fetchModelFile', () => {
  it('returns the bytes when their length and sha256 are the expected ones', async () => {
    const fetch = fakeFetch(body);
    const bytes = await fetchModelFile('https://app.test/models/weights.bin', expected, { fetch });
    expect(new Uint8Array(bytes)).toEqual(body);
    expect(fetch.urls).toEqual(['https://app.test/models/weights.bin']);
  });

  it('returns unchecked bytes when nothing is expected', async () => {
    const other = Uint8Array.from([1, 2, 3]);
    const bytes = await fetchModelFile('https://app.test/models/manifest.json', null, {
      fetch: fakeFetch(other),
    });
    expect(new Uint8Array(bytes)).toEqual(other);
  });

  it('turns an HTTP error into a message naming the model, the file and the status', async () => {
    const e = await failure(
      fetchModelFile('https://app.test/models/weights.bin', expected, {
        fetch: fakeFetch(body, 404),
      }),
    );
    expect(e.message).toMatch(/^Could not load the face model \(weights\.bin\): .*HTTP 404/);
    expect(e.message).toMatch(/Reload the page/);
  });

  it('turns a network failure into a ModelFileError that keeps the cause', async () => {
    const cause = new TypeError('Failed to fetch');
    const e = await failure(
      fetchModelFile('https://app.test/landmarks/model.json?v=2', null, {
        what: 'face landmark model',
        fetch: () => Promise.reject(cause),
      }),
    );
    expect(e.message).toMatch(
      /^Could not load the face landmark model \(model\.json\): Failed to fetch\./,
    );
    expect(e.cause).toBe(cause);
  });

  it('refuses a truncated download by its length', async () => {
    const e = await failure(
      fetchModelFile('u', expected, { fetch: fakeFetch(body.subarray(0, 299)) }),
    );
    expect(e.message).toMatch(/weights\.bin is damaged \(299 bytes, expected 300\)/);
  });

  it('refuses one changed byte by its checksum', async () => {
    const changed = body.slice();
    changed[150] = (changed[150] ?? 0) ^ 1;
    const e = await failure(fetchModelFile('u', expected, { fetch: fakeFetch(changed) }));
    expect(e.message).toMatch(/weights\.bin is damaged or was altered/);
  });

  it('names whose file it is in a checksum failure', async () => {
    const e = await failure(
      fetchModelFile(
        'u',
        { ...expected, sha256: '0'.repeat(64) },
        {
          what: 'face landmark model',
          fetch: fakeFetch(body),
        },
      ),
    );
    expect(e.message).toMatch(
      /^The face landmark model file weights\.bin is damaged or was altered/,
    );
  });
});
