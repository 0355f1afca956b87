/**
 * The backup file: versioned JSON with embeddings as base64 of little-endian float32 bytes,
 * so a round trip is bit-exact and the file is a quarter the size of decimal arrays.
 * Thumbnails are not exported: a backup should not carry photos of faces.
 *
 * parseExport() checks everything and writes nothing; people.ts importData() writes.
 */

import { base64ToBytes, bytesToBase64 } from '../bytes/base64';
import { cosine, template } from '../math/match';
import { checkName, embeddingProblem, nameKey } from './schema';
import type { PersonWithSamples } from './schema';

export const EXPORT_FORMAT = 'facegate-export';
export const EXPORT_VERSION = 1;

/** More people than anyone enrolls on one device: a file with more is refused, not half-read. */
export const IMPORT_MAX_PEOPLE = 1000;

/** A file that cannot be imported; `message` is written for the user. */
export class ImportError extends Error {
  override name = 'ImportError';
}

/** The export cannot be made as asked; `message` is written for the user. */
export class ExportError extends Error {
  override name = 'ExportError';
}

/** The JSON as written (version 1). */
export interface ExportFileV1 {
  format: typeof EXPORT_FORMAT;
  version: 1;
  modelId: string;
  exportedAt: number;
  people: {
    name: string;
    createdAt: number;
    updatedAt: number;
    template: string;
    samples: { embedding: string; createdAt: number; pose?: string }[];
  }[];
}

export interface ParsedSample {
  embedding: Float32Array;
  createdAt: number;
  pose?: string;
}

export interface ParsedPerson {
  name: string;
  createdAt: number;
  updatedAt: number;
  template: Float32Array;
  samples: ParsedSample[];
}

export interface ParsedExport {
  modelId: string;
  exportedAt: number;
  people: ParsedPerson[];
}

export function float32ToBase64(v: Float32Array): string {
  const bytes = new Uint8Array(v.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < v.length; i++) view.setFloat32(i * 4, v[i] as number, true);
  return bytesToBase64(bytes);
}

/** Strict decoding (atob alone tolerates whitespace and missing padding). */
export function base64ToFloat32(text: string): Float32Array | { problem: string } {
  const bytes = base64ToBytes(text);
  if (!bytes) return { problem: 'is not valid base64' };
  if (bytes.length % 4 !== 0) return { problem: 'is not a whole number of 32-bit floats' };
  const view = new DataView(bytes.buffer);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** The backup of everyone enrolled with `modelId`, as JSON text. */
export function exportData(
  people: readonly PersonWithSamples[],
  modelId: string,
  exportedAt: number = Date.now(),
): string {
  const file: ExportFileV1 = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    modelId,
    exportedAt,
    people: people.map(({ person, samples }) => {
      if (person.modelId !== modelId || samples.some((s) => s.modelId !== modelId)) {
        throw new ExportError(
          `${person.name} was enrolled with an older face model; re-enrol them before exporting.`,
        );
      }
      return {
        name: person.name,
        createdAt: person.createdAt,
        updatedAt: person.updatedAt,
        template: float32ToBase64(person.template),
        samples: samples.map((s) => {
          const out: ExportFileV1['people'][number]['samples'][number] = {
            embedding: float32ToBase64(s.embedding),
            createdAt: s.createdAt,
          };
          if (s.pose !== undefined) out.pose = s.pose;
          return out;
        }),
      };
    }),
  };
  // No indentation: the text is sealed (export-seal.ts), never read as it is; 2 % smaller.
  return JSON.stringify(file);
}

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isTime(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

/**
 * A template is the normalised mean of its samples; one that is not was edited by hand or
 * comes from a damaged file. Loose enough for a different summation order.
 */
const TEMPLATE_AGREEMENT = 0.999;

function embedding(value: unknown, dim: number, where: string): Float32Array {
  if (typeof value !== 'string') throw new ImportError(`${where} is missing.`);
  const decoded = base64ToFloat32(value);
  if (!(decoded instanceof Float32Array)) throw new ImportError(`${where} ${decoded.problem}.`);
  const problem = embeddingProblem(decoded, dim);
  if (problem) throw new ImportError(`${where} ${problem}.`);
  return decoded;
}

function parsePerson(value: unknown, index: number, dim: number): ParsedPerson {
  const at = `Person ${index + 1}`;
  if (!isRecord(value)) throw new ImportError(`${at} in the file is not a record.`);
  const checked = checkName(value.name);
  if (!checked.ok) throw new ImportError(`${at}: ${checked.reason}`);
  const who = `${at} ("${checked.name}")`;
  if (!isTime(value.createdAt) || !isTime(value.updatedAt)) {
    throw new ImportError(`${who} has an invalid date.`);
  }
  const tmpl = embedding(value.template, dim, `The template of ${who}`);
  if (!Array.isArray(value.samples) || value.samples.length === 0) {
    throw new ImportError(`${who} has no face samples.`);
  }
  const samples = value.samples.map((s: unknown, j): ParsedSample => {
    const where = `Sample ${j + 1} of ${who}`;
    if (!isRecord(s)) throw new ImportError(`${where} is not a record.`);
    if (!isTime(s.createdAt)) throw new ImportError(`${where} has an invalid date.`);
    if (s.pose !== undefined && typeof s.pose !== 'string') {
      throw new ImportError(`${where} has an invalid pose.`);
    }
    const out: ParsedSample = {
      embedding: embedding(s.embedding, dim, where),
      createdAt: s.createdAt,
    };
    if (s.pose !== undefined) out.pose = s.pose;
    return out;
  });
  if (cosine(tmpl, template(samples.map((s) => s.embedding))) < TEMPLATE_AGREEMENT) {
    throw new ImportError(`The template of ${who} does not match their samples.`);
  }
  return {
    name: checked.name,
    createdAt: value.createdAt,
    updatedAt: value.updatedAt,
    template: tmpl,
    samples,
  };
}

/** Validates a backup against the running model; throws ImportError, writes nothing. */
export function parseExport(
  text: string,
  expected: { modelId: string; dim: number },
): ParsedExport {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ImportError('This file is not a facegate backup (it is not valid JSON).');
  }
  if (!isRecord(data) || data.format !== EXPORT_FORMAT) {
    throw new ImportError('This file is not a facegate backup.');
  }
  if (data.version !== EXPORT_VERSION) {
    throw new ImportError(
      typeof data.version === 'number' && data.version > EXPORT_VERSION
        ? `This backup was made by a newer version of facegate (format ${data.version}); update the app to import it.`
        : `This backup has an unknown format version (${String(data.version)}).`,
    );
  }
  if (typeof data.modelId !== 'string' || data.modelId === '') {
    throw new ImportError('This backup does not say which face model made it.');
  }
  if (data.modelId !== expected.modelId) {
    throw new ImportError(
      `This file was made with another face model (${data.modelId}); it cannot be used with this one (${expected.modelId}).`,
    );
  }
  if (!isTime(data.exportedAt)) throw new ImportError('This backup has an invalid date.');
  if (!Array.isArray(data.people)) throw new ImportError('This backup has no list of people.');
  if (data.people.length > IMPORT_MAX_PEOPLE) {
    throw new ImportError(
      `This backup holds ${data.people.length} people; facegate keeps at most ${IMPORT_MAX_PEOPLE} on one device.`,
    );
  }

  const people = data.people.map((p: unknown, i) => parsePerson(p, i, expected.dim));
  const seen = new Set<string>();
  for (const p of people) {
    const key = nameKey(p.name);
    if (seen.has(key)) throw new ImportError(`The name "${p.name}" appears twice in this backup.`);
    seen.add(key);
  }
  return { modelId: data.modelId, exportedAt: data.exportedAt, people };
}
