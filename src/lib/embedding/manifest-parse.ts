/**
 * models/manifest.json checked field by field when it is read: a manifest with a field missing or
 * of the wrong type (a half-written file, one from another version of the app) must stop with a
 * message that says which field, not fail later as `undefined` deep inside preprocessing.
 */
import type { ModelManifest } from './manifest';
import { ModelFileError } from './model-fetch';

type Fields = Record<string, unknown>;

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the text ${JSON.stringify(value.slice(0, 40))}`;
  if (typeof value === 'object') return 'an object';
  // JSON.parse yields only strings, numbers, booleans and null here.
  return `${typeof value} ${JSON.stringify(value) ?? ''}`;
}

function fail(path: string, expected: string, value: unknown): never {
  throw new ModelFileError(
    `The face model description (manifest.json) is not valid: ${path} is ${describe(value)}, expected ${expected}. Reload the page; if this persists, the model files do not match this version of the app.`,
  );
}

const isObject = (v: unknown): v is Fields =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function object(v: unknown, path: string): Fields {
  return isObject(v) ? v : fail(path, 'an object', v);
}

function text(o: Fields, key: string, path: string, optional = false): void {
  const v = o[key];
  if (optional && v === undefined) return;
  if (typeof v !== 'string' || v.length === 0) fail(`${path}${key}`, 'a non-empty text', v);
}

function number(
  o: Fields,
  key: string,
  path: string,
  kind: 'finite' | 'positive' | 'count' | 'size',
): number {
  const v = o[key];
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (kind === 'finite' ||
      (kind === 'positive' && v > 0) ||
      (kind === 'count' && Number.isInteger(v) && v >= 0) ||
      (kind === 'size' && Number.isInteger(v) && v > 0));
  const expected = {
    finite: 'a number',
    positive: 'a positive number',
    count: 'a whole number >= 0',
    size: 'a whole number > 0',
  }[kind];
  return ok ? v : fail(`${path}${key}`, expected, v);
}

function oneOf<T>(o: Fields, key: string, path: string, values: readonly T[]): void {
  if (!values.includes(o[key] as T))
    fail(`${path}${key}`, values.map((x) => JSON.stringify(x)).join(' or '), o[key]);
}

function listed(files: Set<string>, o: Fields, key: string, path: string): void {
  text(o, key, path);
  const file = o[key] as string;
  if (!files.has(file)) fail(`${path}${key}`, 'a file listed in files', file);
}

/** Throws a ModelFileError naming the first field that is missing or of the wrong type. */
export function assertManifest(value: unknown): asserts value is ModelManifest {
  const m = object(value, 'the manifest');
  text(m, 'id', '');
  oneOf(m, 'format', '', ['facegate-graph-1']);

  if (!Array.isArray(m.files)) fail('files', 'a list', m.files);
  const files = new Set<string>();
  m.files.forEach((f: unknown, i) => {
    const at = `files[${i}].`;
    const entry = object(f, `files[${i}]`);
    text(entry, 'path', at);
    number(entry, 'bytes', at, 'count');
    if (typeof entry.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(entry.sha256))
      fail(`${at}sha256`, '64 lower-case hex digits', entry.sha256);
    files.add(entry.path as string);
  });
  listed(files, m, 'graph', '');
  listed(files, m, 'weights', '');

  const input = object(m.input, 'input');
  number(input, 'size', 'input.', 'size');
  oneOf(input, 'colorOrder', 'input.', ['RGB', 'BGR']);
  number(input, 'mean', 'input.', 'finite');
  number(input, 'std', 'input.', 'positive');
  text(input, 'alignment', 'input.');

  const embedding = object(m.embedding, 'embedding');
  const dim = number(embedding, 'dim', 'embedding.', 'size');
  oneOf(embedding, 'normalized', 'embedding.', [true]);
  oneOf(embedding, 'flipAugment', 'embedding.', [true, false]);

  const loss = object(m.loss, 'loss');
  text(loss, 'type', 'loss.');
  number(loss, 's', 'loss.', 'finite');
  number(loss, 'm', 'loss.', 'finite');
  text(loss, 'note', 'loss.', true);

  object(m.training, 'training');
  object(m.accuracy, 'accuracy');

  const thresholds = object(m.thresholds, 'thresholds');
  for (const level of ['far_1e-3', 'far_1e-4', 'far_1e-5']) {
    const t = number(thresholds, level, 'thresholds.', 'finite');
    // A cosine threshold: anything outside [-1, 1] accepts everyone or no one.
    if (t < -1 || t > 1) fail(`thresholds.${level}`, 'a cosine between -1 and 1', t);
  }
  text(thresholds, 'note', 'thresholds.', true);

  const source = object(m.source, 'source');
  for (const key of ['package', 'file', 'licence', 'sha256']) text(source, key, 'source.');

  if (m.background !== undefined) {
    const bank = object(m.background, 'background');
    listed(files, bank, 'file', 'background.');
    const bankDim = number(bank, 'dim', 'background.', 'size');
    if (bankDim !== dim) fail('background.dim', `the embedding's ${dim}`, bankDim);
    const classes = number(bank, 'classes', 'background.', 'size');
    number(bank, 'samples', 'background.', 'count');
    const validation = number(bank, 'validationClasses', 'background.', 'count');
    if (validation >= classes)
      fail('background.validationClasses', `fewer than its ${classes} classes`, validation);
    text(bank, 'note', 'background.', true);
  }
}

/** The manifest from its JSON text, validated (see assertManifest). */
export function parseManifest(json: string): ModelManifest {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new ModelFileError(
      'The face model description (manifest.json) is damaged. Reload the page.',
    );
  }
  assertManifest(value);
  return value;
}
