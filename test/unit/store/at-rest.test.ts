/**
 * What an attacker with a copy of the browser profile finds: every record of every store, read
 * with the raw IndexedDB API (no app code), must hold no template, embedding, crop or photo in a
 * form that can be read without the data key.
 */
import 'fake-indexeddb/auto';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateDataKey, SealBrokenError } from '../../../src/lib/crypto/seal';
import { normalize, template } from '../../../src/lib/math/match';
import { DB_VERSION, openFacegateDb, resetDbForTests } from '../../../src/lib/store/db';
import { float32ToBase64 } from '../../../src/lib/store/export-format';
import type { ParsedExport } from '../../../src/lib/store/export-format';
import { finetuneKey, getFinetune, saveFinetune } from '../../../src/lib/store/finetune';
import {
  addPerson,
  countPeople,
  countUnsealed,
  deletePerson,
  dropCrops,
  dropThumbnails,
  getPerson,
  getSamples,
  importData,
  listPeople,
  listPeopleWithSamples,
  replaceSamples,
  sealLegacy,
} from '../../../src/lib/store/people';
import type { FinetuneRecord, StoredCrop } from '../../../src/lib/store/schema';
import { createVault, openWithPassphrase, writeNote } from '../../../src/lib/store/vault';
import { rawDump, rawRecords } from './raw-db';

const MODEL = 'model-at-rest';
const DIM = 32;
let seed = 1;

function unit(dim = DIM): Float32Array {
  const out = new Float32Array(dim);
  for (let i = 0; i < dim; i++) out[i] = Math.sin(seed++ * 12.9898) * 43758.5453 - 0.5;
  return normalize(out);
}

/** Any float32s (adapter weights are not unit vectors). */
function floats(n: number): Float32Array {
  return Float32Array.from({ length: n }, () => Math.sin(seed++ * 78.233) * 3);
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.slice().buffer));
const bytesOf = (v: ArrayBufferView) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

const JPEG_HEADER = [0xff, 0xd8, 0xff];
const PNG_HEADER = [0x89, 0x50, 0x4e, 0x47];

/** A small "photo": the real header, a JFIF/IHDR marker, then bytes unlike any other. */
function photo(kind: 'jpeg' | 'png'): { blob: Blob; bytes: Uint8Array } {
  const head =
    kind === 'jpeg'
      ? [...JPEG_HEADER, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]
      : [...PNG_HEADER, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52];
  const body = Array.from({ length: 300 }, (_, i) => (i * 131 + (kind === 'jpeg' ? 7 : 91)) & 0xff);
  const bytes = Uint8Array.from([...head, ...body]);
  return { blob: new Blob([bytes], { type: `image/${kind}` }), bytes };
}

/** An RGBA crop with a pattern of its own (offset by `salt`). */
function crop(salt: number, size = 8): StoredCrop {
  const data = new Uint8ClampedArray(size * size * 4);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + salt * 101 + 11) & 0xff;
  return { width: size, height: size, data };
}

// ---------------------------------------------------------------------------------------------
// The scan

interface Scan {
  /** Every byte sequence found: typed arrays, ArrayBuffers, Blobs, and base64 decoded from strings. */
  bytes: { path: string; data: Uint8Array }[];
  strings: { path: string; text: string }[];
  /** Every binary value, by path and kind, for the shape check. */
  binaries: { path: string; kind: string }[];
}

async function walk(value: unknown, path: string, out: Scan): Promise<void> {
  if (typeof value === 'string') {
    out.strings.push({ path, text: value });
    // Anything that looks like base64 is decoded too, at each of the four character alignments.
    for (const token of value.match(/[A-Za-z0-9+/]{8,}={0,2}/g) ?? []) {
      for (let s = 0; s < 4; s++) {
        out.bytes.push({ path: `${path}#b64+${s}`, data: Buffer.from(token.slice(s), 'base64') });
      }
    }
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (ArrayBuffer.isView(value)) {
    out.binaries.push({ path, kind: value.constructor.name });
    out.bytes.push({ path, data: bytesOf(value) });
    return;
  }
  if (value instanceof ArrayBuffer) {
    out.binaries.push({ path, kind: 'ArrayBuffer' });
    out.bytes.push({ path, data: new Uint8Array(value) });
    return;
  }
  if (value instanceof Blob) {
    out.binaries.push({ path, kind: 'Blob' });
    out.bytes.push({ path, data: new Uint8Array(await value.arrayBuffer()) });
    out.strings.push({ path: `${path}.type`, text: value.type });
    return;
  }
  if (value instanceof Map || value instanceof Set) {
    await walk([...value], path, out);
    return;
  }
  for (const [k, v] of Object.entries(value)) await walk(v, `${path}.${k}`, out);
}

/** Every record of every store, read raw; paths look like `people[0].sealed.data`. */
async function scanDatabase(): Promise<Scan & { stores: Record<string, unknown[]> }> {
  const stores = await rawRecords();
  const out: Scan = { bytes: [], strings: [], binaries: [] };
  for (const [name, records] of Object.entries(stores)) {
    for (const [i, r] of records.entries()) await walk(r, `${name}[${i}]`, out);
  }
  return { ...out, stores };
}

interface Secrets {
  vectors: Float32Array[];
  crops: Uint8ClampedArray[];
  photos: Uint8Array[];
  texts: string[];
}

/** Where each secret shows through in `scan`, in words; empty when none does. */
function leaks(scan: Scan, secrets: Secrets): string[] {
  const found: string[] = [];
  const needles: { what: string; bytes: Buffer }[] = [];
  secrets.vectors.forEach((v, n) => {
    const b = Buffer.from(bytesOf(v));
    // Every run of 4 consecutive float32s (16 bytes).
    for (let o = 0; o + 16 <= b.length; o += 4) {
      needles.push({
        what: `vector ${n} floats ${o / 4}..${o / 4 + 3}`,
        bytes: b.subarray(o, o + 16),
      });
    }
  });
  secrets.crops.forEach((c, n) =>
    needles.push({ what: `crop ${n}`, bytes: Buffer.from(bytesOf(c).subarray(0, 64)) }),
  );
  secrets.photos.forEach((p, n) =>
    needles.push({ what: `photo ${n} body`, bytes: Buffer.from(p.subarray(20, 52)) }),
  );
  needles.push({ what: 'JPEG header', bytes: Buffer.from(JPEG_HEADER) });
  needles.push({ what: 'PNG header', bytes: Buffer.from(PNG_HEADER) });
  for (const t of secrets.texts) needles.push({ what: `text "${t}"`, bytes: Buffer.from(t) });

  for (const hay of scan.bytes) {
    const buf = Buffer.from(hay.data.buffer, hay.data.byteOffset, hay.data.byteLength);
    for (const n of needles) if (buf.indexOf(n.bytes) >= 0) found.push(`${n.what} in ${hay.path}`);
  }

  // Strings: the same runs as base64 (as any base64 encoding of the whole array would show
  // them), and as decimal numbers (a JSON array), and the texts themselves.
  const textNeedles: { what: string; text: string }[] = [];
  secrets.vectors.forEach((v, n) => {
    const b = Buffer.from(bytesOf(v));
    const b64 = b.toString('base64');
    for (let o = 0; o + 16 <= b.length; o += 4) {
      const start = Math.ceil(o / 3) * 3;
      const end = Math.floor((o + 16) / 3) * 3;
      textNeedles.push({
        what: `vector ${n} @${o} base64`,
        text: b64.slice((start / 3) * 4, (end / 3) * 4),
      });
      textNeedles.push({
        what: `vector ${n} @${o} base64 alone`,
        text: b.subarray(o, o + 15).toString('base64'),
      });
    }
    for (let i = 0; i + 3 <= v.length; i++) {
      textNeedles.push({
        what: `vector ${n} @${i} decimal`,
        text: `${v[i]},${v[i + 1]},${v[i + 2]}`,
      });
    }
  });
  for (const t of secrets.texts) textNeedles.push({ what: `text "${t}"`, text: t });
  textNeedles.push({ what: 'JFIF marker', text: 'JFIF' });
  for (const s of scan.strings) {
    for (const n of textNeedles) if (s.text.includes(n.text)) found.push(`${n.what} in ${s.path}`);
  }
  return found;
}

const SEALED_BYTES = /^(people|samples|finetune)\[\d+\]\.(sealed|thumb)\.(iv|data)$/;
const VAULT_BYTES = /^vault\[\d+\]\.(salt|wrapped|credentialId|sealed\.iv|sealed\.data)$/;

/** Binary values anywhere but the sealed parts' iv/data (and the vault's own byte fields). */
function strayBinaries(scan: Scan): string[] {
  return scan.binaries
    .filter(
      (b) => !(b.kind === 'Uint8Array' && (SEALED_BYTES.test(b.path) || VAULT_BYTES.test(b.path))),
    )
    .map((b) => `${b.kind} at ${b.path}`);
}

// ---------------------------------------------------------------------------------------------

function finetuneRecord(
  samplesKey: string,
  people: { id: string; name: string }[],
  templates: Float32Array[],
  adapter: { a: Float32Array; b: Float32Array },
): FinetuneRecord {
  return {
    key: 'current',
    modelId: MODEL,
    samplesKey,
    people,
    used: true,
    adapter: { dim: DIM, rank: 1, ...adapter },
    templates: people.map((p, i) => ({ personId: p.id, template: templates[i]! })),
    guard: {
      accepted: true,
      reason: 'test',
      threshold: 0.4,
      genuine: { count: 1, rejectsBefore: 0, rejectsAfter: 0, meanBefore: 0.5, meanAfter: 0.6 },
      strangers: {
        count: 1,
        acceptsBefore: 0,
        acceptsAfter: 0,
        maxBefore: 0.1,
        maxAfter: 0.1,
        tailBefore: 0.1,
        tailAfter: 0.1,
      },
    },
    norm: {
      reference: { mean: 0.01, sd: 0.1 },
      stats: people.map((_, i) => ({ mean: 0.02 * i, sd: 0.11 })),
    },
    createdAt: 1,
    seconds: 2,
    backend: 'cpu',
  };
}

async function currentSamplesKey(key: CryptoKey): Promise<string> {
  const all = await listPeopleWithSamples(key);
  return finetuneKey(
    MODEL,
    all.flatMap((p) => p.samples),
  );
}

beforeEach(async () => {
  await resetDbForTests();
});

describe('face data at rest', () => {
  it('no template, embedding, crop or photo can be read from the raw database', async () => {
    const key = await createVault('correct horse battery');
    const NOTE = 'my secret vault note';
    await writeNote(key, NOTE);

    // Ann: three samples, two crops, a JPEG.
    const annSamples = [unit(), unit(), unit()];
    const annCrops = [crop(1), null, crop(2)];
    const jpeg = photo('jpeg');
    const ann = await addPerson(key, {
      name: 'Ann',
      modelId: MODEL,
      samples: annSamples,
      thumbnail: jpeg.blob,
      crops: annCrops,
    });

    // Bob: enrolled, then re-enrolled with a PNG and a crop.
    const bobFirst = [unit()];
    const bob = await addPerson(key, {
      name: 'Bob',
      modelId: MODEL,
      samples: bobFirst,
      thumbnail: null,
    });
    const bobSamples = [unit(), unit()];
    const bobCrop = crop(3);
    const png = photo('png');
    await replaceSamples(key, bob.id, bobSamples, { thumbnail: png.blob, crops: [bobCrop, null] });

    // Cy: imported from a backup.
    const cySamples = [unit(), unit()];
    const parsed: ParsedExport = {
      modelId: MODEL,
      exportedAt: 5,
      people: [
        {
          name: 'Cy',
          createdAt: 3,
          updatedAt: 4,
          template: template(cySamples),
          samples: cySamples.map((embedding, i) => ({
            embedding,
            createdAt: 3 + i,
            pose: 'front',
          })),
        },
      ],
    };
    expect(await importData(key, parsed, { replace: false })).toBe(1);

    // A fine-tune over all three.
    const everyone = await listPeople(key);
    const tuned = everyone.map(() => unit());
    const adapter = { a: floats(DIM), b: floats(DIM) };
    const ft = finetuneRecord(
      await currentSamplesKey(key),
      everyone.map((p) => ({ id: p.id, name: p.name })),
      tuned,
      adapter,
    );
    expect(await saveFinetune(key, ft)).toBe(true);

    const secrets: Secrets = {
      vectors: [
        ...annSamples,
        ...bobFirst,
        ...bobSamples,
        ...cySamples,
        template(annSamples),
        template(bobFirst),
        template(bobSamples),
        template(cySamples),
        ...tuned,
        adapter.a,
        adapter.b,
      ],
      crops: [annCrops[0]!.data, annCrops[2]!.data, bobCrop.data],
      photos: [jpeg.bytes, png.bytes],
      texts: [NOTE],
    };

    const scan = await scanDatabase();
    expect(scan.stores.people).toHaveLength(3);
    expect(scan.stores.samples).toHaveLength(3 + 2 + 2);
    expect(scan.stores.finetune).toHaveLength(1);
    // The scanner really read the sealed bytes (it is not passing because it saw nothing).
    expect(scan.bytes.filter((b) => b.path.endsWith('.sealed.data')).length).toBe(3 + 7 + 1 + 1);
    expect(leaks(scan, secrets)).toEqual([]);
    expect(strayBinaries(scan)).toEqual([]);
    // Exactly the people with photos have a sealed thumb.
    const thumbs = (scan.stores.people as { name: string; thumb: unknown }[])
      .map((p) => [p.name, p.thumb === null ? 'none' : 'sealed'])
      .sort();
    expect(thumbs).toEqual([
      ['Ann', 'sealed'],
      ['Bob', 'sealed'],
      ['Cy', 'none'],
    ]);

    // And with the key, everything comes back exactly.
    const people = await listPeople(key);
    expect(people.map((p) => p.name)).toEqual(['Ann', 'Bob', 'Cy']);
    const [pAnn, pBob, pCy] = people;
    expect(bits(pAnn!.template)).toEqual(bits(template(annSamples)));
    expect(bits(pBob!.template)).toEqual(bits(template(bobSamples)));
    expect(bits(pCy!.template)).toEqual(bits(template(cySamples)));
    expect(pAnn!.template).toBeInstanceOf(Float32Array);
    expect(new Uint8Array(await pAnn!.thumbnail!.arrayBuffer())).toEqual(jpeg.bytes);
    expect(pAnn!.thumbnail!.type).toBe('image/jpeg');
    expect(new Uint8Array(await pBob!.thumbnail!.arrayBuffer())).toEqual(png.bytes);
    expect(pBob!.thumbnail!.type).toBe('image/png');
    expect(pCy!.thumbnail).toBeNull();
    expect(pCy!.createdAt).toBe(3);
    expect(pCy!.updatedAt).toBe(4);

    const annBack = await getSamples(key, ann.id);
    expect(annBack.map((s) => bits(s.embedding))).toEqual(annSamples.map(bits));
    expect(annBack[0]!.crop!.data).toBeInstanceOf(Uint8ClampedArray);
    expect(annBack[0]!.crop).toEqual(annCrops[0]);
    expect(annBack[1]!.crop).toBeUndefined();
    expect(annBack[2]!.crop).toEqual(annCrops[2]);
    const bobBack = await getSamples(key, bob.id);
    expect(bobBack.map((s) => bits(s.embedding))).toEqual(bobSamples.map(bits));
    expect(bobBack[0]!.crop).toEqual(bobCrop);
    const cyBack = await getSamples(key, pCy!.id);
    expect(cyBack.map((s) => bits(s.embedding))).toEqual(cySamples.map(bits));
    expect(cyBack.map((s) => s.pose)).toEqual(['front', 'front']);
    expect(cyBack.map((s) => s.createdAt)).toEqual([3, 4]);

    const ftBack = await getFinetune(key);
    expect(ftBack).toEqual(ft);
    expect(ftBack!.templates.map((t) => bits(t.template))).toEqual(tuned.map(bits));
    expect(bits(ftBack!.adapter!.a)).toEqual(bits(adapter.a));
    expect(bits(ftBack!.adapter!.b)).toEqual(bits(adapter.b));
  });

  it('a sealed part moved to another record does not open there', async () => {
    const key = await generateDataKey();
    const ann = await addPerson(key, {
      name: 'Ann',
      modelId: MODEL,
      samples: [unit(), unit()],
      thumbnail: photo('jpeg').blob,
    });
    const bob = await addPerson(key, {
      name: 'Bob',
      modelId: MODEL,
      samples: [unit()],
      thumbnail: null,
    });
    const db = await openFacegateDb();
    const rawAnn = (await db.get('people', ann.id)) as { sealed: unknown; thumb: unknown };
    const rawBob = await db.get('people', bob.id);
    // Ann's template planted in Bob's record, so Ann's face would unlock as Bob.
    await db.put('people', { ...rawBob!, sealed: rawAnn.sealed } as never);
    await expect(getPerson(key, bob.id)).rejects.toThrow(SealBrokenError);
    await expect(listPeople(key)).rejects.toThrow(SealBrokenError);
    await db.put('people', { ...rawBob!, thumb: rawAnn.thumb } as never);
    await expect(getPerson(key, bob.id)).rejects.toThrow(SealBrokenError);
    await db.put('people', rawBob!);
    expect((await getPerson(key, bob.id))?.name).toBe('Bob');

    const [s1, s2] = (await db.getAllFromIndex('samples', 'by-person', ann.id)) as {
      id: string;
      sealed: unknown;
    }[];
    await db.put('samples', { ...s1!, sealed: s2!.sealed } as never);
    await expect(getSamples(key, ann.id)).rejects.toThrow(SealBrokenError);
  });

  it('the scan finds plain copies in bytes, base64 and decimal text (it can fail)', async () => {
    const v = unit();
    const c = crop(8);
    const db = await openFacegateDb();
    const secrets: Secrets = { vectors: [v], crops: [c.data], photos: [], texts: [] };
    expect(leaks(await scanDatabase(), secrets)).toEqual([]);
    // An embedding in the middle of a longer array, at an offset that is not a multiple of 3.
    const longer = new Float32Array(DIM + 1);
    longer.set(v, 1);
    const planted: [string, unknown][] = [
      ['base64', float32ToBase64(v)],
      ['base64 at an offset', float32ToBase64(longer)],
      ['base64 in JSON', JSON.stringify({ e: float32ToBase64(v) })],
      ['decimal JSON', JSON.stringify(Array.from(v))],
      ['bytes in an ArrayBuffer', v.slice().buffer],
      ['bytes at an odd offset', Uint8Array.from([1, ...bytesOf(v)])],
      ['crop', { data: Uint8Array.from(c.data) }],
    ];
    for (const [what, value] of planted) {
      await db.put('settings', { key: 'planted', value });
      expect(leaks(await scanDatabase(), secrets), what).not.toEqual([]);
    }
    await db.put('settings', {
      key: 'planted',
      value: new Blob([Uint8Array.of(1, ...JPEG_HEADER)]),
    });
    expect(leaks(await scanDatabase(), secrets)).toEqual(['JPEG header in settings[0].value']);
  });

  it('a record sealed with another key does not open', async () => {
    const key = await generateDataKey();
    await addPerson(key, { name: 'Ann', modelId: MODEL, samples: [unit()], thumbnail: null });
    await expect(listPeople(await generateDataKey())).rejects.toThrow(SealBrokenError);
  });
});

// ---------------------------------------------------------------------------------------------
// Records written before version 4

/** Version 3 exactly as it shipped (db.ts MIGRATIONS 0..2), with the raw API. */
async function buildVersion3(fill: (tx: IDBTransaction) => void): Promise<void> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open('facegate', 3);
    req.onupgradeneeded = () => {
      const d = req.result;
      d.createObjectStore('people', { keyPath: 'id' }).createIndex('by-name', 'name');
      d.createObjectStore('samples', { keyPath: 'id' }).createIndex('by-person', 'personId');
      d.createObjectStore('settings', { keyPath: 'key' });
      d.createObjectStore('attempts', { keyPath: 'id', autoIncrement: true }).createIndex(
        'by-time',
        'at',
      );
      d.createObjectStore('finetune', { keyPath: 'key' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('open failed'));
  });
  const tx = db.transaction(['people', 'samples', 'settings', 'finetune'], 'readwrite');
  const done = new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new Error('aborted'));
  });
  fill(tx);
  await done;
  db.close();
}

describe('records from version 3', () => {
  it('are upgraded plain, ignored until the vault is made, then sealed with nothing left in plain form', async () => {
    const embeddings = [unit(), unit()];
    const tmpl = template(embeddings);
    const legacyCrop = crop(9);
    const jpeg = photo('jpeg');
    const tuned = unit();
    await buildVersion3((tx) => {
      tx.objectStore('people').put({
        id: 'p1',
        name: 'Ann',
        modelId: MODEL,
        template: tmpl,
        createdAt: 1,
        updatedAt: 2,
        thumbnail: jpeg.blob,
      });
      tx.objectStore('samples').put({
        id: 's1',
        personId: 'p1',
        modelId: MODEL,
        embedding: embeddings[0],
        createdAt: 1,
        crop: legacyCrop,
      });
      tx.objectStore('samples').put({
        id: 's2',
        personId: 'p1',
        modelId: MODEL,
        embedding: embeddings[1],
        createdAt: 1,
        pose: 'left',
      });
      tx.objectStore('settings').put({ key: 'firstRunDone', value: true });
      tx.objectStore('finetune').put(
        finetuneRecord(
          finetuneKey(MODEL, [
            { id: 's1', personId: 'p1' },
            { id: 's2', personId: 'p1' },
          ]),
          [{ id: 'p1', name: 'Ann' }],
          [tuned],
          { a: floats(DIM), b: floats(DIM) },
        ),
      );
    });
    const secrets: Secrets = {
      vectors: [...embeddings, tmpl, tuned],
      crops: [legacyCrop.data],
      photos: [jpeg.bytes],
      texts: [],
    };

    const db = await openFacegateDb();
    expect(db.version).toBe(DB_VERSION);
    expect(DB_VERSION).toBe(4);
    expect(db.objectStoreNames.contains('vault')).toBe(true);
    expect(await countUnsealed()).toBe(3);
    expect(await countPeople()).toBe(1);

    // The scanner sees the plain records for what they are...
    const before = await scanDatabase();
    expect(leaks(before, secrets).length).toBeGreaterThan(0);
    expect(strayBinaries(before)).toContain('Float32Array at people[0].template');

    // ...and the app does not read them with a key: they are not sealed.
    const anyKey = await generateDataKey();
    expect(await listPeople(anyKey)).toEqual([]);
    expect(await getPerson(anyKey, 'p1')).toBeUndefined();
    expect(await getSamples(anyKey, 'p1')).toEqual([]);
    expect(await listPeopleWithSamples(anyKey)).toEqual([]);

    // sealLegacy() only seals in memory; nothing on disk changes until the vault is made.
    const rawBefore = await rawDump(['people', 'samples', 'finetune']);
    await sealLegacy(anyKey);
    expect(await rawDump(['people', 'samples', 'finetune'])).toBe(rawBefore);
    expect(await countUnsealed()).toBe(3);

    // The first secret seals them all, in the transaction that stores the key.
    const key = await createVault('correct horse battery');
    expect(await countUnsealed()).toBe(0);
    expect(await countPeople()).toBe(1);

    const after = await scanDatabase();
    expect(after.stores.people).toHaveLength(1);
    expect(after.stores.samples).toHaveLength(2);
    expect(leaks(after, secrets)).toEqual([]);
    expect(strayBinaries(after)).toEqual([]);

    const [person] = await listPeople(key);
    expect(person).toMatchObject({
      id: 'p1',
      name: 'Ann',
      modelId: MODEL,
      createdAt: 1,
      updatedAt: 2,
    });
    expect(person!.template).toBeInstanceOf(Float32Array);
    expect(bits(person!.template)).toEqual(bits(tmpl));
    expect(new Uint8Array(await person!.thumbnail!.arrayBuffer())).toEqual(jpeg.bytes);
    expect(person!.thumbnail!.type).toBe('image/jpeg');
    const samples = await getSamples(key, 'p1');
    expect(samples.map((s) => s.id)).toEqual(['s1', 's2']);
    expect(samples.map((s) => bits(s.embedding))).toEqual(embeddings.map(bits));
    expect(samples[0]!.crop).toEqual(legacyCrop);
    expect(samples[0]!.crop!.data).toBeInstanceOf(Uint8ClampedArray);
    expect(samples[1]!.crop).toBeUndefined();
    expect(samples[1]!.pose).toBe('left');
    // A plain fine-tune is either dropped or sealed, never kept plain (the scan above) or damaged.
    const ft = await getFinetune(key);
    if (ft) expect(ft.templates.map((t) => bits(t.template))).toEqual([bits(tuned)]);

    // The same key comes from the passphrase.
    expect(
      bits((await listPeople(await openWithPassphrase('correct horse battery')))[0]!.template),
    ).toEqual(bits(tmpl));
  });
});

// ---------------------------------------------------------------------------------------------

describe('dropping photos and crops', () => {
  let key: CryptoKey;
  beforeAll(async () => {
    key = await generateDataKey();
  });

  it('dropThumbnails forgets every photo and nothing else', async () => {
    const jpeg = photo('jpeg');
    const png = photo('png');
    const a = await addPerson(key, {
      name: 'Ann',
      modelId: MODEL,
      samples: [unit()],
      thumbnail: jpeg.blob,
    });
    await addPerson(key, { name: 'Bob', modelId: MODEL, samples: [unit()], thumbnail: png.blob });
    await addPerson(key, { name: 'Cy', modelId: MODEL, samples: [unit()], thumbnail: null });
    const before = await rawRecords();
    expect((before.people as { thumb: unknown }[]).filter((p) => p.thumb !== null)).toHaveLength(2);

    await dropThumbnails();

    const after = await rawRecords();
    expect((after.people as { thumb: unknown }[]).map((p) => p.thumb)).toEqual([null, null, null]);
    // The sealed templates are untouched.
    expect((after.people as { sealed: unknown }[]).map((p) => p.sealed)).toEqual(
      (before.people as { sealed: unknown }[]).map((p) => p.sealed),
    );
    const people = await listPeople(key);
    expect(people.map((p) => p.thumbnail)).toEqual([null, null, null]);
    expect(bits(people[0]!.template)).toEqual(bits(a.template));
    const scan = await scanDatabase();
    expect(
      leaks(scan, { vectors: [], crops: [], photos: [jpeg.bytes, png.bytes], texts: [] }),
    ).toEqual([]);
  });

  it('dropCrops forgets every crop, keeps embeddings bit-exact and the fine-tune valid', async () => {
    const annSamples = [unit(), unit(), unit()];
    const crops = [crop(4), crop(5), null];
    const ann = await addPerson(key, {
      name: 'Ann',
      modelId: MODEL,
      samples: annSamples,
      thumbnail: null,
      crops,
    });
    const bobSamples = [unit()];
    const bob = await addPerson(key, {
      name: 'Bob',
      modelId: MODEL,
      samples: bobSamples,
      thumbnail: null,
    });
    const samplesKey = await currentSamplesKey(key);
    const ft = finetuneRecord(
      samplesKey,
      [
        { id: ann.id, name: 'Ann' },
        { id: bob.id, name: 'Bob' },
      ],
      [unit(), unit()],
      { a: floats(DIM), b: floats(DIM) },
    );
    expect(await saveFinetune(key, ft)).toBe(true);
    const idsBefore = (await getSamples(key, ann.id)).map((s) => s.id);
    expect((await getSamples(key, ann.id)).map((s) => s.crop !== undefined)).toEqual([
      true,
      true,
      false,
    ]);

    await dropCrops(key);

    const raw = await rawRecords();
    expect((raw.samples as { hasCrop: boolean }[]).map((s) => s.hasCrop)).toEqual([
      false,
      false,
      false,
      false,
    ]);
    const annAfter = await getSamples(key, ann.id);
    expect(annAfter.map((s) => s.id)).toEqual(idsBefore);
    expect(annAfter.every((s) => !('crop' in s))).toBe(true);
    expect(annAfter.map((s) => bits(s.embedding))).toEqual(annSamples.map(bits));
    expect((await getSamples(key, bob.id)).map((s) => bits(s.embedding))).toEqual(
      bobSamples.map(bits),
    );
    expect(bits((await getPerson(key, ann.id))!.template)).toEqual(bits(ann.template));
    // Same samples, same ids: the fine-tune still describes them and is still there.
    expect(await currentSamplesKey(key)).toBe(samplesKey);
    expect(await getFinetune(key)).toEqual(ft);
    const scan = await scanDatabase();
    expect(
      leaks(scan, { vectors: [], crops: [crops[0]!.data, crops[1]!.data], photos: [], texts: [] }),
    ).toEqual([]);
    // Nothing of the crops is left inside the seals either (the sealed samples shrank).
    const sizes = (raw.samples as { sealed: { data: Uint8Array } }[]).map(
      (s) => s.sealed.data.length,
    );
    expect(Math.max(...sizes)).toBeLessThan(crops[0]!.data.length);
  });

  it('dropCrops does not bring back a person deleted while it was resealing', async () => {
    const ann = await addPerson(key, {
      name: 'Ann',
      modelId: MODEL,
      samples: [unit(), unit()],
      thumbnail: null,
      crops: [crop(6), crop(7)],
    });
    const dropping = dropCrops(key);
    await deletePerson(ann.id);
    await dropping;
    const db = await openFacegateDb();
    expect(await db.count('people')).toBe(0);
    // A deleted person's face must not stay behind as orphan samples.
    expect(await db.count('samples')).toBe(0);
  });
});
