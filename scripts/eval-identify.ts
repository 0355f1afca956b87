/**
 * Identify (1:N) false accepts per attempt: how often a stranger is identified as someone when N
 * people are enrolled, with the old rule (the security level's 1:1 threshold on every comparison)
 * and the open-set rule (identifyThreshold(): per-comparison rate FAR(level) / N, plus a
 * margin over the runner-up), and how often an enrolled person is identified as themselves.
 *
 *   npm run eval-identify -- [--data ../shared/data/celeba-dev] [--strangers ../shared/data/lfw]
 *     [--stranger-images 2000] [--stranger-per-person 5] [--stranger-folds 6-10]
 *     [--enrolled 10,50,100] [--samples-per-person 5] [--trials 10] [--seed 1]
 *     [--margins 0,0.02,0.05,0.1] [--model models] [--cache <crops>] [--stranger-cache <crops>]
 *     [--backend wasm|cpu] [--json docs/eval-identify.json]
 *
 * Per trial and N: N random --data people with more than --samples-per-person images are
 * enrolled (template = match.ts template() of --samples-per-person random images; the rest are
 * their genuine probes); when N exceeds them, people with fewer images fill up, enrolled with all
 * but one of their images. Strangers: every image of the --data people not enrolled in that trial,
 * plus the --strangers images (LFW people of --stranger-folds, never trained on: at most
 * --stranger-per-person images each, --stranger-images in all, a seeded draw; `--strangers none`
 * leaves them out). One attempt = one probe image; the app decides over three consecutive frames
 * of the same person, which is stricter.
 *
 * Crops come from the app's front end (prepareDataset, headless Chromium) into the same caches as
 * `npm run eval`; embeddings are cached per model (weights hash) and crop cache under
 * .cache/identify/, so a re-run embeds only what is new and a new model or front end never reuses
 * stale ones.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { intFlag, numberFlag, numberListFlag, parseFlags } from './lib/cli.ts';
import { Embedder } from '../src/lib/embedding/embedder.ts';
import { parseFolds, parsePairs, peopleInFolds } from './lib/lfw-pairs.ts';
import {
  decideRanked,
  IDENTIFY_MARGIN,
  SECURITY_LEVELS,
  template,
  verifyScore,
  type Candidate,
  type SecurityLevel,
} from '../src/lib/math/match.ts';
import { identifyThreshold, LEVEL_FAR } from '../src/lib/math/open-set.ts';
import { seededRandom, shuffle } from '../src/lib/math/seeded-random.ts';
import { defaultCropCache } from './eval.ts';
import { datasetArgs, prepareDataset, type CropRecord } from './prepare-dataset.ts';
import { listLfwLayout } from './lib/dataset.ts';
import { cachedEmbeddings } from './lib/embedding-cache.ts';
import { loadCrop } from './lib/embed-crops.ts';
import { fileFetcher, readManifest } from './lib/model-files.ts';
import { initTf } from './lib/tf-node.ts';

/** The margin the app used before the open-set rule (match.ts IDENTIFY_MARGIN until then). */
const OLD_MARGIN = 0.02;

export interface IdentifyEvalArgs {
  data: string;
  strangers: string | null;
  strangerImages: number;
  strangerPerPerson: number;
  strangerFolds: number[];
  strangerPairs: string | null;
  enrolled: number[];
  samplesPerPerson: number;
  trials: number;
  seed: number;
  margins: number[];
  model: string;
  cache: string | null;
  strangerCache: string | null;
  backend: 'wasm' | 'cpu';
  json: string | null;
}

const USAGE =
  'npm run eval-identify -- [--data ../shared/data/celeba-dev] [--strangers ../shared/data/lfw|none] ' +
  '[--stranger-images 2000] [--stranger-per-person 5] [--stranger-folds 6-10] ' +
  '[--stranger-pairs FILE] [--enrolled 10,50,100] [--samples-per-person 5] [--trials 10] ' +
  '[--seed 1] [--margins 0,0.02,0.05,0.1] [--model models] [--cache DIR] [--stranger-cache DIR] ' +
  '[--backend wasm|cpu] [--json docs/eval-identify.json]';

export function parseIdentifyArgs(argv: string[]): IdentifyEvalArgs {
  const values = parseFlags(
    USAGE,
    {
      data: { type: 'string', default: '../shared/data/celeba-dev' },
      strangers: { type: 'string', default: '../shared/data/lfw' },
      'stranger-images': { type: 'string', default: '2000' },
      'stranger-per-person': { type: 'string', default: '5' },
      'stranger-folds': { type: 'string', default: '6-10' },
      'stranger-pairs': { type: 'string' },
      enrolled: { type: 'string', default: '10,50,100' },
      'samples-per-person': { type: 'string', default: '5' },
      trials: { type: 'string', default: '10' },
      seed: { type: 'string', default: '1' },
      margins: { type: 'string', default: '0,0.02,0.05,0.1' },
      model: { type: 'string', default: 'models' },
      cache: { type: 'string' },
      'stranger-cache': { type: 'string' },
      backend: { type: 'string', default: 'wasm' },
      json: { type: 'string' },
    },
    argv,
  );
  const backend = values.backend;
  if (backend !== 'wasm' && backend !== 'cpu') throw new Error('--backend must be wasm or cpu');
  const strangers = values.strangers === 'none' ? null : values.strangers;
  const enrolled = numberListFlag(values.enrolled, 'enrolled');
  if (enrolled.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error('--enrolled must list positive integers');
  }
  const margins = numberListFlag(values.margins, 'margins');
  if (margins.some((m) => m < 0)) throw new Error('--margins must not be negative');
  return {
    data: values.data,
    strangers,
    strangerImages: intFlag(values['stranger-images'], 'stranger-images'),
    strangerPerPerson: intFlag(values['stranger-per-person'], 'stranger-per-person'),
    strangerFolds: parseFolds(values['stranger-folds']),
    strangerPairs: values['stranger-pairs'] ?? (strangers ? join(strangers, 'pairs.txt') : null),
    enrolled,
    samplesPerPerson: intFlag(values['samples-per-person'], 'samples-per-person'),
    trials: intFlag(values.trials, 'trials'),
    seed: numberFlag(values.seed, 'seed'),
    margins,
    model: values.model,
    cache: values.cache ?? null,
    strangerCache: values['stranger-cache'] ?? null,
    backend,
    json: values.json ?? null,
  };
}

/**
 * The stranger images of an LFW-layout folder: people of the given pairs.txt folds (so a model
 * trained with those folds held out never saw them), at most `perPerson` images each, then a
 * seeded draw of `limit`. Sorted, so the crop cache and the embedding cache see a stable list.
 */
export function strangerFiles(
  root: string,
  pairsFile: string,
  folds: readonly number[],
  perPerson: number,
  limit: number,
  seed: number,
): string[] {
  const people = peopleInFolds(parsePairs(readFileSync(pairsFile, 'utf8')), folds);
  const random = seededRandom(seed);
  const byPerson = new Map<string, string[]>();
  for (const { person, file } of listLfwLayout(root)) {
    if (!people.has(person)) continue;
    const list = byPerson.get(person) ?? [];
    list.push(file);
    byPerson.set(person, list);
  }
  const pool = [...byPerson.values()].flatMap((files) =>
    shuffle(files, random).slice(0, perPerson),
  );
  return shuffle(pool, random)
    .slice(0, limit)
    .sort((a, b) => a.localeCompare(b));
}

/** Crops (through the cache) and embeddings (cached per model and crop cache) of `files`. */
async function embedFolder(
  embedder: Embedder,
  data: string,
  cacheIn: string | null,
  files: string[] | null,
): Promise<{ records: CropRecord[]; embeddings: Map<string, Float32Array>; cache: string }> {
  const cache = resolve(cacheIn ?? defaultCropCache(data));
  const records = await prepareDataset(datasetArgs({ data, out: cache, files }), false);
  const withCrop = records.filter((r) => r.crop);
  const weights = embedder.manifest.files.map((f) => f.sha256.slice(0, 12)).join('-');
  const tag = createHash('sha256')
    .update(`${embedder.manifest.id}\n${weights}\n${cache}`)
    .digest('hex')
    .slice(0, 10);
  const byFile = new Map(withCrop.map((r) => [r.file, r]));
  const embeddings = await cachedEmbeddings(
    embedder,
    resolve(import.meta.dirname, `../.cache/identify/${basename(cache)}-${tag}`),
    withCrop.map((r) => r.file),
    (file) => {
      const record = byFile.get(file);
      if (!record) throw new Error(`no crop for ${file}`);
      return loadCrop(cache, record);
    },
    `embedding ${basename(data)}`,
  );
  return { records, embeddings, cache };
}

interface Probe {
  file: string;
  person: string;
  embedding: Float32Array;
  source: 'data' | 'strangers';
}

interface Tally {
  attempts: number;
  attemptsData: number;
  falseAccepts: number;
  falseAcceptsData: number;
  falseAcceptsStrangers: number;
  genuine: number;
  correct: number;
  wrongPerson: number;
}

const emptyTally = (): Tally => ({
  attempts: 0,
  attemptsData: 0,
  falseAccepts: 0,
  falseAcceptsData: 0,
  falseAcceptsStrangers: 0,
  genuine: 0,
  correct: 0,
  wrongPerson: 0,
});

export interface RuleResult {
  threshold: number;
  margin: number;
  stranger_attempts: number;
  /** Of stranger_attempts: probes of --data people not enrolled (the rest are --strangers). */
  stranger_attempts_data: number;
  false_accepts: number;
  false_accepts_data_strangers: number;
  false_accepts_other_strangers: number;
  far_per_attempt: number;
  genuine_probes: number;
  identified_correctly: number;
  identified_as_someone_else: number;
  identification_rate: number;
}

export interface LevelResult {
  enrolled: number;
  level: SecurityLevel;
  target_far_per_attempt: number;
  old: RuleResult;
  new: RuleResult;
  /** The open-set threshold with each margin of --margins. */
  margin_sweep: RuleResult[];
}

export interface IdentifyEvalResult {
  model: string;
  data: string;
  strangers: string | null;
  data_people: number;
  data_images: number;
  data_no_face: number;
  /** People with more than samples_per_person images (the others enrol with fewer). */
  people_with_enough_images: number;
  stranger_images: number;
  stranger_no_face: number;
  samples_per_person: number;
  trials: number;
  seed: number;
  attempt: string;
  old_rule: string;
  new_rule: string;
  results: LevelResult[];
}

function toRuleResult(t: Tally, threshold: number, margin: number): RuleResult {
  return {
    threshold,
    margin,
    stranger_attempts: t.attempts,
    stranger_attempts_data: t.attemptsData,
    false_accepts: t.falseAccepts,
    false_accepts_data_strangers: t.falseAcceptsData,
    false_accepts_other_strangers: t.falseAcceptsStrangers,
    far_per_attempt: t.attempts ? t.falseAccepts / t.attempts : 0,
    genuine_probes: t.genuine,
    identified_correctly: t.correct,
    identified_as_someone_else: t.wrongPerson,
    identification_rate: t.genuine ? t.correct / t.genuine : 0,
  };
}

/** Best and second-best candidate of a probe against the enrolled templates. */
function topTwo(
  probe: Float32Array,
  people: readonly { id: string; template: Float32Array }[],
): Candidate[] {
  let first: Candidate | null = null;
  let second: Candidate | null = null;
  for (const p of people) {
    const score = verifyScore(probe, p);
    const c = { id: p.id, name: p.id, score };
    if (first === null || score > first.score) {
      second = first;
      first = c;
    } else if (second === null || score > second.score) {
      second = c;
    }
  }
  return [first, second].filter((c): c is Candidate => c !== null);
}

export async function evaluateIdentify(args: IdentifyEvalArgs): Promise<IdentifyEvalResult> {
  if (!existsSync(args.data)) throw new Error(`no such folder: ${args.data}`);
  await initTf(args.backend);
  const manifest = readManifest(args.model);
  const embedder = await Embedder.load(manifest, fileFetcher(args.model));

  const data = await embedFolder(embedder, args.data, args.cache, null);
  let strangerProbes: Probe[] = [];
  let strangerNoFace = 0;
  let strangerTotal = 0;
  if (args.strangers) {
    if (!args.strangerPairs) throw new Error('--stranger-pairs is needed with --strangers');
    const files = strangerFiles(
      args.strangers,
      args.strangerPairs,
      args.strangerFolds,
      args.strangerPerPerson,
      args.strangerImages,
      args.seed,
    );
    const s = await embedFolder(embedder, args.strangers, args.strangerCache, files);
    strangerTotal = s.records.length;
    strangerNoFace = s.records.filter((r) => !r.crop).length;
    strangerProbes = s.records.flatMap((r) => {
      const e = s.embeddings.get(r.file);
      return e
        ? [{ file: r.file, person: r.person, embedding: e, source: 'strangers' as const }]
        : [];
    });
  }

  const byPerson = new Map<string, Probe[]>();
  for (const r of data.records) {
    const e = data.embeddings.get(r.file);
    if (!e) continue;
    const list = byPerson.get(r.person) ?? [];
    list.push({ file: r.file, person: r.person, embedding: e, source: 'data' });
    byPerson.set(r.person, list);
  }
  const people = [...byPerson.keys()].sort();
  // People with more than --samples-per-person images are drawn first; the others only when N
  // asks for more (then enrolled with all but one of their images, at least one).
  const full = people.filter((p) => (byPerson.get(p)?.length ?? 0) > args.samplesPerPerson);
  const few = people.filter((p) => !full.includes(p));
  for (const n of args.enrolled) {
    if (n > people.length) throw new Error(`cannot enrol ${n}: ${args.data} has ${people.length}`);
  }

  const thresholds = manifest.thresholds;
  const results: LevelResult[] = [];
  for (const n of args.enrolled) {
    const levels = SECURITY_LEVELS.map(({ level }) => ({
      level,
      oldT: thresholds[level],
      newT: identifyThreshold(thresholds, level, n),
      old: emptyTally(),
      new: emptyTally(),
      sweep: args.margins.map(() => emptyTally()),
    }));
    for (let trial = 0; trial < args.trials; trial++) {
      const random = seededRandom(args.seed * 1_000_003 + n * 1009 + trial);
      const chosen = new Set([...shuffle(full, random), ...shuffle(few, random)].slice(0, n));
      const enrolled: { id: string; template: Float32Array }[] = [];
      const genuine: Probe[] = [];
      for (const person of [...chosen].sort()) {
        const images = shuffle(byPerson.get(person) ?? [], random);
        const k = Math.min(args.samplesPerPerson, Math.max(1, images.length - 1));
        enrolled.push({
          id: person,
          template: template(images.slice(0, k).map((p) => p.embedding)),
        });
        genuine.push(...images.slice(k));
      }
      const strangers = [
        ...people.filter((p) => !chosen.has(p)).flatMap((p) => byPerson.get(p) ?? []),
        ...strangerProbes,
      ];
      const tallyAll = (
        probes: readonly Probe[],
        count: (tally: Tally, probe: Probe, best: Candidate | null) => void,
      ) => {
        for (const probe of probes) {
          const ranked = topTwo(probe.embedding, enrolled);
          for (const l of levels) {
            count(l.old, probe, decideRanked(ranked, l.oldT, OLD_MARGIN).best);
            count(l.new, probe, decideRanked(ranked, l.newT, IDENTIFY_MARGIN).best);
            args.margins.forEach((m, k) => {
              const tally = l.sweep[k];
              if (tally) count(tally, probe, decideRanked(ranked, l.newT, m).best);
            });
          }
        }
      };
      tallyAll(strangers, (t, probe, best) => {
        t.attempts++;
        if (probe.source === 'data') t.attemptsData++;
        if (!best) return;
        t.falseAccepts++;
        if (probe.source === 'data') t.falseAcceptsData++;
        else t.falseAcceptsStrangers++;
      });
      tallyAll(genuine, (t, probe, best) => {
        t.genuine++;
        if (!best) return;
        if (best.id === probe.person) t.correct++;
        else t.wrongPerson++;
      });
    }
    for (const l of levels) {
      results.push({
        enrolled: n,
        level: l.level,
        target_far_per_attempt: LEVEL_FAR[l.level],
        old: toRuleResult(l.old, l.oldT, OLD_MARGIN),
        new: toRuleResult(l.new, l.newT, IDENTIFY_MARGIN),
        margin_sweep: args.margins.map((m, k) =>
          toRuleResult(l.sweep[k] ?? emptyTally(), l.newT, m),
        ),
      });
    }
  }

  const result: IdentifyEvalResult = {
    model: manifest.id,
    data: args.data,
    strangers: args.strangers,
    data_people: people.length,
    data_images: data.records.length,
    data_no_face: data.records.filter((r) => !r.crop).length,
    people_with_enough_images: full.length,
    stranger_images: strangerTotal,
    stranger_no_face: strangerNoFace,
    samples_per_person: args.samplesPerPerson,
    trials: args.trials,
    seed: args.seed,
    attempt:
      'one probe image (the app decides over 3 consecutive frames of the same person, which is stricter)',
    old_rule: `per-comparison threshold = manifest threshold of the level, margin ${OLD_MARGIN}`,
    new_rule: `per-comparison threshold at FAR(level)/N (open-set.ts identifyThreshold), margin ${IDENTIFY_MARGIN}`,
    results,
  };
  if (args.json) {
    mkdirSync(dirname(resolve(args.json)), { recursive: true });
    writeFileSync(args.json, `${JSON.stringify(result, null, 2)}\n`);
  }
  return result;
}

const pct = (x: number) => `${(100 * x).toFixed(x > 0 && x < 0.001 ? 3 : 2)}%`;

const rate = (k: number, n: number) => (n ? `${k} / ${n} (${pct(k / n)})` : '-');

/** The docs/IDENTIFY.md tables. */
export function markdownTable(r: IdentifyEvalResult): string {
  const data = basename(r.data);
  const others = r.strangers ? basename(r.strangers) : 'none';
  const lines = [
    `| enrolled | level | old threshold | old: stranger FA / attempts | new threshold | new: stranger FA / attempts | new: ${data} strangers | new: ${others} strangers | old: identified | new: identified | new: wrong person |`,
    '| -: | :- | -: | -: | -: | -: | -: | -: | -: | -: | -: |',
  ];
  for (const x of r.results) {
    const n = x.new;
    lines.push(
      `| ${x.enrolled} | ${x.level} | ${x.old.threshold.toFixed(3)} | ${rate(x.old.false_accepts, x.old.stranger_attempts)} | ${n.threshold.toFixed(3)} | ${rate(n.false_accepts, n.stranger_attempts)} | ${rate(n.false_accepts_data_strangers, n.stranger_attempts_data)} | ${rate(n.false_accepts_other_strangers, n.stranger_attempts - n.stranger_attempts_data)} | ${pct(x.old.identification_rate)} | ${pct(n.identification_rate)} | ${n.identified_as_someone_else} / ${n.genuine_probes} |`,
    );
  }
  lines.push('', '| enrolled | level | margin | stranger FA | identified | wrong person |');
  lines.push('| -: | :- | -: | -: | -: | -: |');
  for (const x of r.results) {
    if (x.enrolled === 1) continue;
    for (const m of x.margin_sweep) {
      lines.push(
        `| ${x.enrolled} | ${x.level} | ${m.margin} | ${m.false_accepts} (${pct(m.far_per_attempt)}) | ${pct(m.identification_rate)} | ${m.identified_as_someone_else} |`,
      );
    }
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  Promise.resolve()
    .then(() => evaluateIdentify(parseIdentifyArgs(process.argv.slice(2))))
    .then((r) => {
      console.log(markdownTable(r));
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
