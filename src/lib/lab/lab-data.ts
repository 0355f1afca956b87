/**
 * The margin lab's default data file (public/lab/lfw8.json, made by scripts/make-lab-data.ts):
 * backbone embeddings of 8 LFW people, int8-quantised with one scale per row to keep it small.
 * Pure: no DOM, no tfjs.
 */
import { base64ToBytes, bytesToBase64 } from '../bytes/base64';
import type { LabData } from './lab-types';

/** Where the app fetches the file from, relative to its base URL (Vite serves public/). */
export const LAB_DATA_PATH = 'lab/lfw8.json';

export const LAB_DATA_FORMAT = 'facegate-lab-data';
export const LAB_DATA_VERSION = 1;

/** The file as stored. Row r is `q[r*dim .. (r+1)*dim) * scales[r]` (then re-normalised). */
export interface LabDataFileV1 {
  format: typeof LAB_DATA_FORMAT;
  version: typeof LAB_DATA_VERSION;
  modelId: string;
  command: string;
  dim: number;
  names: string[];
  labels: number[];
  scales: number[];
  /** Base64 of rows x dim signed bytes. */
  q: string;
}

/** Quantises each row by 127 / max|x| (an all-zero row keeps scale 0). */
export function encodeLabData(data: LabData): LabDataFileV1 {
  const { dim, labels, embeddings } = data;
  if (embeddings.length !== labels.length * dim) {
    throw new Error(
      `lab data: ${embeddings.length} values for ${labels.length} rows of ${dim} values`,
    );
  }
  const q = new Int8Array(embeddings.length);
  const scales: number[] = [];
  for (let r = 0; r < labels.length; r++) {
    const row = embeddings.subarray(r * dim, (r + 1) * dim);
    let max = 0;
    for (const x of row) max = Math.max(max, Math.abs(x));
    const scale = max / 127;
    scales.push(Number(scale.toPrecision(7)));
    for (let i = 0; i < dim; i++) {
      q[r * dim + i] = scale === 0 ? 0 : Math.round((row[i] as number) / scale);
    }
  }
  return {
    format: LAB_DATA_FORMAT,
    version: LAB_DATA_VERSION,
    modelId: data.source.modelId,
    command: data.source.command,
    dim,
    names: [...data.names],
    labels: [...labels],
    scales,
    q: bytesToBase64(new Uint8Array(q.buffer)),
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function bad(problem: string): never {
  throw new Error(`Bad lab data file: ${problem}`);
}

/** Validates a parsed lfw8.json and returns its rows dequantised to unit length; throws on a bad file. */
export function decodeLabData(json: unknown): LabData {
  if (!isRecord(json)) bad('not a JSON object');
  if (json.format !== LAB_DATA_FORMAT) {
    bad(`format is ${JSON.stringify(json.format)}, expected "${LAB_DATA_FORMAT}"`);
  }
  if (json.version !== LAB_DATA_VERSION) {
    bad(`version ${JSON.stringify(json.version)} is not supported (expected ${LAB_DATA_VERSION})`);
  }
  const { modelId, command, dim, names, labels, scales, q } = json;
  if (typeof modelId !== 'string' || modelId === '') bad('modelId must be a non-empty string');
  if (typeof command !== 'string') bad('command must be a string');
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 1) {
    bad('dim must be a positive integer');
  }
  if (!Array.isArray(names) || names.length < 2) bad('names must list at least two classes');
  names.forEach((n, i) => {
    if (typeof n !== 'string' || n.trim() === '') bad(`names[${i}] must be a non-empty string`);
  });
  if (!Array.isArray(labels) || labels.length === 0) bad('labels must be a non-empty array');
  const counts = new Array<number>(names.length).fill(0);
  labels.forEach((l, i) => {
    if (typeof l !== 'number' || !Number.isInteger(l) || l < 0 || l >= names.length) {
      bad(`labels[${i}] must be an integer class 0..${names.length - 1}`);
    }
    counts[l]! += 1;
  });
  counts.forEach((c, k) => {
    if (c === 0) bad(`class ${k} (${names[k] as string}) has no rows`);
  });
  const rows = labels.length;
  if (!Array.isArray(scales) || scales.length !== rows) {
    bad(`scales must hold one number per row (${rows})`);
  }
  scales.forEach((s, i) => {
    if (typeof s !== 'number' || !Number.isFinite(s) || s <= 0) {
      bad(`scales[${i}] must be a positive number`);
    }
  });
  const bytes = typeof q === 'string' ? base64ToBytes(q) : null;
  if (!bytes) return bad('q is not valid base64');
  if (bytes.length !== rows * dim) {
    bad(`q holds ${bytes.length} values, expected ${rows} rows x ${dim} = ${rows * dim}`);
  }
  const values = new Int8Array(bytes.buffer);

  const embeddings = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const scale = scales[r] as number;
    let norm = 0;
    for (let i = 0; i < dim; i++) {
      const x = (values[r * dim + i] as number) * scale;
      embeddings[r * dim + i] = x;
      norm += x * x;
    }
    if (norm === 0) bad(`row ${r} is all zeros`);
    const inv = 1 / Math.sqrt(norm);
    for (let i = 0; i < dim; i++) embeddings[r * dim + i]! *= inv;
  }
  return {
    names: names as string[],
    labels: labels as number[],
    embeddings,
    dim,
    source: { modelId, command },
  };
}
