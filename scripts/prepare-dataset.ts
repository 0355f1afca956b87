/**
 * Detects and aligns every image of an LFW-layout folder with the app's own front end and writes
 * 112x112 PNG crops plus an index, to a cache folder outside git. Resumable: rerun to continue.
 *
 *   npm run prepare-dataset -- --data ../shared/data/lfw --out .cache/lfw-crops \
 *     [--limit N] [--batch 24] [--max-side 1024] [--contact-sheet docs/lfw-contact-sheet.png]
 *     [--files list.txt] [--single-pass]
 *
 * Outputs in --out: crops/<Person>/<file>.png, index.jsonl (one line per image, appended as it
 * goes), and at the end index.json + index.csv (person, file, score, keypoints, failure, ...).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BatchRunner } from './lib/batch-runner.ts';
import { intFlag, numberFlag, readFlags, UsageError } from './lib/cli.ts';
import { claimCropFolder } from './lib/crop-folder.ts';
import { IMAGE_REFINE } from '../src/lib/vision/front-end-version.ts';
import { listLfwLayout, median, seededRandom } from './lib/dataset.ts';
import { formatSeconds, ProgressBar } from './lib/progress.ts';
import type { BatchItemResult } from '../src/tools/batch-protocol.ts';

export type PrepareArgs = Args;

export interface CropRecord {
  person: string;
  file: string;
  crop: string | null;
  failure: string | null;
  detail?: string;
  score: number | null;
  faces: number | null;
  box: number[] | null;
  keypoints: [number, number][] | null;
  quality: string[];
  width: number | null;
  height: number | null;
  detectMs: number | null;
  landmarkMs?: number | null;
  meshScore?: number | null;
  pose?: { yaw: number; pitch: number; roll: number } | null;
  alignMs: number | null;
}

export interface Args {
  data: string;
  out: string;
  limit: number;
  batch: number;
  maxSide: number;
  contactSheet: string | null;
  /** A second landmark pass per image (IMAGE mode refinement, see AnalyzeOptions.refine). */
  refine: boolean;
  /** Landmark face-presence floor override (default: the app's). */
  minMeshScore?: number;
  /** Only these relative paths (Person/file.jpg); null = the whole folder. */
  files: string[] | null;
}

/** Arguments for a programmatic run: the CLI's defaults, overridden by what the caller names. */
export function datasetArgs(given: Pick<Args, 'data' | 'out'> & Partial<Args>): Args {
  return {
    limit: Infinity,
    batch: 24,
    maxSide: 1024,
    contactSheet: null,
    refine: IMAGE_REFINE,
    files: null,
    ...given,
  };
}

const USAGE =
  'npm run prepare-dataset -- --data <LFW-layout folder> --out <cache folder> [--limit N] ' +
  '[--batch 24] [--max-side 1024] [--contact-sheet out.png] [--files list.txt] ' +
  '[--refine | --single-pass] [--min-mesh-score S]';

function prepareArgs(): Args {
  const flags = readFlags(USAGE, {
    data: { type: 'string', default: '' },
    out: { type: 'string', default: '' },
    limit: { type: 'string' },
    batch: { type: 'string' },
    'max-side': { type: 'string' },
    'contact-sheet': { type: 'string' },
    refine: { type: 'boolean', default: false },
    'single-pass': { type: 'boolean', default: false },
    'min-mesh-score': { type: 'string' },
    files: { type: 'string' },
  });
  if (!flags.data || !flags.out) throw new UsageError(`usage: ${USAGE}`);
  if (flags.refine && flags['single-pass']) {
    throw new UsageError('--refine and --single-pass exclude each other');
  }
  const args = datasetArgs({ data: flags.data, out: flags.out });
  if (flags.limit !== undefined) args.limit = intFlag(flags.limit, 'limit');
  if (flags.batch !== undefined) args.batch = intFlag(flags.batch, 'batch');
  if (flags['max-side'] !== undefined) args.maxSide = intFlag(flags['max-side'], 'max-side');
  if (flags['contact-sheet'] !== undefined) args.contactSheet = flags['contact-sheet'];
  if (flags.refine) args.refine = true;
  if (flags['single-pass']) args.refine = false;
  if (flags['min-mesh-score'] !== undefined) {
    args.minMeshScore = numberFlag(flags['min-mesh-score'], 'min-mesh-score');
  }
  if (flags.files !== undefined) {
    args.files = readFileSync(flags.files, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  }
  if (!existsSync(args.data)) throw new Error(`no such folder: ${args.data}`);
  return args;
}

export function readIndex(out: string): Map<string, CropRecord> {
  const done = new Map<string, CropRecord>();
  const path = join(out, 'index.jsonl');
  if (!existsSync(path)) return done;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const record = JSON.parse(line) as CropRecord;
      done.set(record.file, record);
    } catch {
      // A line cut short by an interrupted run: that image is simply processed again.
    }
  }
  return done;
}

function toRecord(person: string, file: string, r: BatchItemResult, out: string): CropRecord {
  let crop: string | null = null;
  if (r.png) {
    crop = join('crops', file.replace(/\.[a-z]+$/i, '.png'));
    const target = join(out, crop);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, Buffer.from(r.png, 'base64'));
  }
  return {
    person,
    file,
    crop,
    failure: r.failure ?? null,
    ...(r.detail ? { detail: r.detail } : {}),
    score: r.score ?? null,
    faces: r.faces ?? null,
    box: r.box ?? null,
    keypoints: r.keypoints ? r.keypoints.map(([x, y]) => [x, y] as [number, number]) : null,
    quality: r.quality ?? [],
    width: r.width ?? null,
    height: r.height ?? null,
    detectMs: r.detectMs === undefined ? null : Math.round(r.detectMs * 100) / 100,
    landmarkMs: r.landmarkMs === undefined ? null : Math.round(r.landmarkMs * 100) / 100,
    meshScore: r.meshScore ?? null,
    pose: r.pose ?? null,
    alignMs: r.alignMs === undefined ? null : Math.round(r.alignMs * 100) / 100,
  };
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

function writeSummaryFiles(out: string, records: CropRecord[]): void {
  writeFileSync(join(out, 'index.json'), JSON.stringify(records));
  const columns = [
    'person',
    'file',
    'crop',
    'failure',
    'score',
    'faces',
    'box',
    'keypoints',
    'quality',
  ] as const;
  const lines = [columns.join(',')];
  for (const r of records) lines.push(columns.map((c) => csvCell(r[c])).join(','));
  writeFileSync(join(out, 'index.csv'), `${lines.join('\n')}\n`);
}

export async function prepareDataset(args: Args, log = true): Promise<CropRecord[]> {
  const out = resolve(args.out);
  mkdirSync(out, { recursive: true });
  claimCropFolder(out, args.refine);
  let items = listLfwLayout(args.data);
  if (args.files) {
    const wanted = new Set(args.files);
    items = items.filter((i) => wanted.has(i.file));
  }
  items = items.slice(0, args.limit);
  const done = readIndex(out);
  const todo = items.filter((i) => !done.has(i.file));
  console.error(
    `${items.length} images, ${items.length - todo.length} already done, ${todo.length} to go`,
  );

  const started = Date.now();
  if (todo.length > 0) {
    const runner = await BatchRunner.start(args.data);
    const bar = new ProgressBar(todo.length, 'aligning');
    let failures = 0;
    try {
      for (let i = 0; i < todo.length; i += args.batch) {
        const chunk = todo.slice(i, i + args.batch);
        const results = await runner.process(
          chunk.map((c) => c.file),
          {
            maxDetectSide: args.maxSide,
            refine: args.refine,
            ...(args.minMeshScore === undefined ? {} : { minMeshScore: args.minMeshScore }),
          },
        );
        const lines: string[] = [];
        results.forEach((r, k) => {
          const item = chunk[k];
          if (!item) return;
          const record = toRecord(item.person, item.file, r, out);
          if (record.failure) failures++;
          done.set(record.file, record);
          lines.push(JSON.stringify(record));
        });
        appendFileSync(join(out, 'index.jsonl'), `${lines.join('\n')}\n`);
        bar.update(Math.min(i + args.batch, todo.length), `(${failures} failed)`);
      }
    } finally {
      await runner.close();
    }
  }
  const seconds = (Date.now() - started) / 1000;
  const records = items
    .map((i) => done.get(i.file))
    .filter((r): r is CropRecord => r !== undefined);
  // The index lists everything the cache holds, not only this run's selection.
  writeSummaryFiles(
    out,
    [...done.values()].sort((a, b) => a.file.localeCompare(b.file)),
  );

  const noFace = records.filter((r) => r.failure === 'no_face').length;
  const otherFailures = records.filter((r) => r.failure && r.failure !== 'no_face').length;
  const detect = median(records.flatMap((r) => (r.detectMs === null ? [] : [r.detectMs])));
  const align = median(records.flatMap((r) => (r.alignMs === null ? [] : [r.alignMs])));
  const landmark = median(records.flatMap((r) => (r.landmarkMs == null ? [] : [r.landmarkMs])));
  const summary = {
    images: records.length,
    processed_now: todo.length,
    seconds_this_run: Math.round(seconds),
    time_this_run: formatSeconds(seconds),
    no_face: noFace,
    no_face_percent: Math.round((10000 * noFace) / Math.max(records.length, 1)) / 100,
    other_failures: otherFailures,
    median_detect_ms: Math.round(detect * 100) / 100,
    median_landmark_ms: Math.round(landmark * 100) / 100,
    median_align_ms: Math.round(align * 100) / 100,
  };
  if (log) console.log(JSON.stringify(summary, null, 2));

  if (args.contactSheet) await writeContactSheet(args, out, records);
  return records;
}

async function writeContactSheet(args: Args, out: string, records: CropRecord[]): Promise<void> {
  const ok = records.filter((r) => r.crop);
  const random = seededRandom(64);
  const picks: CropRecord[] = [];
  const pool = [...ok];
  while (picks.length < 64 && pool.length > 0) {
    const [r] = pool.splice(Math.floor(random() * pool.length), 1);
    if (r) picks.push(r);
  }
  const runner = await BatchRunner.start(args.data);
  try {
    const pngs = picks.map((r) => readFileSync(join(out, r.crop ?? '')).toString('base64'));
    const sheet = await runner.contactSheet({ pngs, columns: 8, guides: false });
    mkdirSync(dirname(resolve(args.contactSheet ?? '')), { recursive: true });
    writeFileSync(resolve(args.contactSheet ?? ''), Buffer.from(sheet, 'base64'));
    console.error(`contact sheet of ${picks.length} crops: ${args.contactSheet}`);
  } finally {
    await runner.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  Promise.resolve()
    .then(() => prepareDataset(prepareArgs()))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
