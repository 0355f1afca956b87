/**
 * Texture cues against replays and prints, measured: Human's two small anti-spoofing models
 * (@vladmandic/human 3.3.6, MIT: models/antispoof.json, models/liveness.json), run the way Human
 * runs them (scripts/lib/human-node.ts), on every frame of real genuine videos and real attack
 * videos, then judged per window with thresholds placed leave-one-person-out.
 *
 *   npm run eval-texture -- --videos DIR[,DIR] [--videos DIR] --attack-videos DIR [--fps 5]
 *     [--window 1,3] [--quantiles 0.01,0.05] [--same a+b,c+d] [--span clip:from-to,...]
 *     [--json docs/eval-texture.json]
 *
 * --videos: folders (or single clip files) of genuine clips (one live person each; the clip's name is the person unless
 * --same joins clips of one person). --span keeps only the seconds [from, to) of a clip (others are
 * dropped, not relabelled): the phone replay's first 1.6 s and its end show the man himself behind
 * the phone, and the detector picks his live face there, not the one on the screen (face boxes of
 * ~330 px at x~305 against ~150-220 px boxes on the screen; checked on the frames). --attack-videos: folders (or
 * files) where every clip is an attack.
 * Frames are extracted once at --fps under .cache/texture/frames; per-frame scores are cached under
 * .cache/texture/scores (keyed by the clip file, the rate and this file's scoring version).
 * Frames are fed at their own size (no scaling or padding): the crop is the face box anyway, and a
 * box past the frame's edge reads as black, as padding with black would.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import jpeg from 'jpeg-js';
import type { Rank, Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import { initTf } from './lib/tf-node.ts';
import { intFlag, numberListFlag, readFlags, UsageError } from './lib/cli.ts';
import { extractFrames, frameFile, listVideos } from './lib/video-frames.ts';
import {
  loadTextureModels,
  registerFileLoader,
  scoreCrop,
  startHuman,
  type TextureModels,
} from './lib/human-node.ts';
import {
  auc,
  fraction,
  groupWeightedQuantile,
  leaveOnePersonOut,
  quantile,
  windowScores,
  type Fold,
} from './lib/texture-stats.ts';

const ROOT = resolve(import.meta.dirname, '..');
const CACHE = resolve(ROOT, '.cache/texture');
/** Bump when the scoring of a frame changes, so cached scores are made again. */
const SCORING_VERSION = 1;
export const MODELS = ['antispoof', 'liveness'] as const;
type ModelName = (typeof MODELS)[number];

const USAGE =
  'npm run eval-texture -- --videos DIR[,DIR] [--videos DIR] --attack-videos DIR [--fps 5] ' +
  '[--window 1,3] [--quantiles 0.01,0.05] [--same a+b,c+d] [--span clip:from-to,...] [--json FILE]';

interface FrameScore {
  t: number;
  /** Human's face box [x, y, w, h] in frame pixels; null when no face was found. */
  box: [number, number, number, number] | null;
  faceScore: number;
  antispoof: number | null;
  liveness: number | null;
}

interface Clip {
  name: string;
  path: string;
  kind: 'genuine' | 'attack';
  person: string;
}

const listFlag = (values: string[] | undefined) =>
  (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);

function tag(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 12);
}

function round(v: number, digits = 4): number {
  return Number.isFinite(v) ? Math.round(v * 10 ** digits) / 10 ** digits : v;
}

async function scoreClip(
  tf: Awaited<ReturnType<typeof initTf>>,
  human: Awaited<ReturnType<typeof startHuman>>,
  models: TextureModels,
  clip: Clip,
  fps: number,
): Promise<FrameScore[]> {
  const s = statSync(clip.path);
  const key = tag([clip.path, s.size, s.mtimeMs, fps, SCORING_VERSION]);
  const file = resolve(CACHE, 'scores', `${clip.name}-${key}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as FrameScore[];
  const framesRoot = resolve(CACHE, 'frames', `${clip.name}-${key}`);
  const n = extractFrames(clip.path, clip.name, framesRoot, fps);
  const scores: FrameScore[] = [];
  for (let i = 0; i < n; i++) {
    const img = jpeg.decode(readFileSync(resolve(framesRoot, frameFile(clip.name, i))), {
      useTArray: true,
      formatAsRGBA: false,
    });
    const input = tf.tensor3d(img.data, [img.height, img.width, 3], 'int32');
    const result = await human.detect(input);
    input.dispose();
    const face = result.face[0];
    if (face?.tensor) {
      const s2 = await scoreCrop(tf, models, face.tensor);
      scores.push({
        t: i / fps,
        box: face.box,
        faceScore: face.score,
        antispoof: s2.antispoof,
        liveness: s2.liveness,
      });
    } else {
      scores.push({ t: i / fps, box: null, faceScore: 0, antispoof: null, liveness: null });
    }
    for (const f of result.face) f.tensor?.dispose();
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(scores));
  return scores;
}

/** Milliseconds per call (median of `runs` after a warm-up) of the crop and each model. */
async function measureCost(
  tf: Awaited<ReturnType<typeof initTf>>,
  models: TextureModels,
  runs: number,
): Promise<Record<string, number>> {
  const frame = tf.randomUniform<Rank.R3>([480, 640, 3], 0, 255, 'float32');
  const box = [[0.2, 0.25, 0.8, 0.75]];
  const time = async (make: () => Tensor) => {
    const ms: number[] = [];
    for (let i = 0; i < runs + 3; i++) {
      const t0 = performance.now();
      const out = make();
      await out.data();
      const dt = performance.now() - t0;
      out.dispose();
      if (i >= 3) ms.push(dt);
    }
    return round(quantile(ms, 0.5), 2);
  };
  const crop = (): Tensor4D =>
    tf.tidy(() =>
      tf.div<Tensor4D>(
        tf.image.cropAndResize(tf.expandDims<Tensor4D>(frame, 0), box, [0], [192, 192]),
        255,
      ),
    );
  const crop192 = crop();
  const run = (model: GraphModel, size: number) => () =>
    tf.tidy(() => model.execute(tf.image.resizeBilinear(crop192, [size, size], false)) as Tensor);
  const cost = {
    crop192: await time(crop),
    antispoof: await time(run(models.antispoof, 128)),
    liveness: await time(run(models.liveness, 32)),
  };
  tf.dispose([frame, crop192]);
  return cost;
}

function stats(values: number[]) {
  return {
    median: round(quantile(values, 0.5)),
    p10: round(quantile(values, 0.1)),
    p90: round(quantile(values, 0.9)),
  };
}

function summarise(folds: Fold[], attackPerson: string | null) {
  const finite = (xs: number[]) => xs.filter((v) => Number.isFinite(v));
  const refusals = finite(folds.map((f) => f.heldOutRefusal));
  const accept = finite(folds.map((f) => f.attackAcceptance));
  const own = folds.find((f) => f.heldOut === attackPerson) ?? null;
  return {
    meanHeldOutRefusal: round(refusals.reduce((s, v) => s + v, 0) / (refusals.length || 1)),
    worstHeldOutRefusal: round(Math.max(...refusals)),
    peopleWithAnyRefusal: refusals.filter((v) => v > 0).length,
    attackAcceptanceMin: round(Math.min(...accept)),
    attackAcceptanceMax: round(Math.max(...accept)),
    thresholdRange: [
      round(Math.min(...folds.map((f) => f.threshold))),
      round(Math.max(...folds.map((f) => f.threshold))),
    ],
    /** The fold that holds out the attacked man's own live clip: nothing of him placed it. */
    attackersOwnFold: own
      ? {
          threshold: round(own.threshold),
          heldOutRefusal: round(own.heldOutRefusal),
          heldOutMargin: round(own.heldOutMargin),
          attackAcceptance: round(own.attackAcceptance),
          attackMargin: round(own.attackMargin),
          attackMedianMargin: round(own.attackMedianMargin),
        }
      : null,
  };
}

export async function main(): Promise<void> {
  const flags = readFlags(USAGE, {
    videos: { type: 'string', multiple: true },
    'attack-videos': { type: 'string', multiple: true },
    fps: { type: 'string', default: '5' },
    window: { type: 'string', default: '1,3' },
    quantiles: { type: 'string', default: '0.01,0.05' },
    same: {
      type: 'string',
      default: 'vox-741400104+vox-741400163,webcam-genuine+phone-screen-replay',
    },
    span: { type: 'string', default: 'phone-screen-replay:1.6-6.4' },
    json: { type: 'string' },
    'cost-runs': { type: 'string', default: '30' },
  });
  let fps: number, windowSeconds: number[], quantiles: number[], costRuns: number;
  const spans = new Map<string, [number, number]>();
  try {
    fps = intFlag(flags.fps, 'fps');
    windowSeconds = numberListFlag(flags.window, 'window');
    if (windowSeconds.some((w) => !(w > 0))) throw new UsageError('--window must be > 0');
    quantiles = numberListFlag(flags.quantiles, 'quantiles');
    costRuns = intFlag(flags['cost-runs'], 'cost-runs');
    if (listFlag(flags.videos).length === 0) throw new UsageError('--videos is required');
    for (const part of flags.span.split(',').filter((p) => p.trim())) {
      const m = /^\s*([^:]+):([\d.]+)-([\d.]+)\s*$/.exec(part);
      if (!m) throw new UsageError(`--span wants clip:from-to, got ${part}`);
      spans.set(m[1]!, [Number(m[2]), Number(m[3])]);
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\nusage: ${USAGE}`);
    process.exit(2);
  }
  const groups = flags.same
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean);
  const personOf = (name: string) => groups.find((g) => g.split('+').includes(name)) ?? name;

  const clips: Clip[] = [];
  for (const [kind, dirs] of [
    ['genuine', listFlag(flags.videos)],
    ['attack', listFlag(flags['attack-videos'])],
  ] as const) {
    for (const dir of dirs) {
      // A folder of clips, or one clip (the attack pair's live half sits beside its attack).
      const videos = statSync(dir).isDirectory()
        ? listVideos(dir)
        : [{ name: basename(dir, extname(dir)), path: resolve(dir) }];
      if (videos.length === 0) throw new Error(`no videos in ${dir}`);
      for (const v of videos) clips.push({ ...v, kind, person: personOf(v.name) });
    }
  }
  const names = clips.map((c) => c.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new Error(`two clips are named ${dup}: names must be unique across folders`);

  const tf = await initTf('wasm');
  registerFileLoader(tf);
  const human = await startHuman();
  const models = await loadTextureModels();

  const perClip: { clip: Clip; frames: FrameScore[] }[] = [];
  for (const clip of clips) {
    const started = Date.now();
    const all = await scoreClip(tf, human, models, clip, fps);
    const span = spans.get(clip.name);
    // Frame times are i / fps: compare with a tolerance of a tenth of a frame.
    const eps = 0.1 / fps;
    const frames = span ? all.filter((f) => f.t >= span[0] - eps && f.t < span[1] - eps) : all;
    perClip.push({ clip, frames });
    const found = frames.filter((f) => f.box).length;
    const med = (m: ModelName) =>
      quantile(
        frames.map((f) => f[m] ?? Number.NaN),
        0.5,
      ).toFixed(3);
    console.log(
      `${clip.kind.padEnd(7)} ${clip.name.padEnd(28)} ${String(found).padStart(4)}/${String(frames.length).padEnd(4)} faces  antispoof ${med('antispoof')}  liveness ${med('liveness')}  (${Date.now() - started} ms)`,
    );
  }
  const windowsOf = (frames: FrameScore[], m: ModelName, seconds: number) =>
    windowScores(
      frames.map((f) => f[m]),
      Math.max(1, Math.round(seconds * fps)),
    );

  const attackPeople = [
    ...new Set(perClip.filter((c) => c.clip.kind === 'attack').map((c) => c.clip.person)),
  ];
  const attackPerson = attackPeople.length === 1 ? attackPeople[0]! : null;
  const report: Record<string, Record<string, unknown>> = {};
  for (const m of MODELS) {
    report[m] = {};
    for (const seconds of windowSeconds) {
      const genuineByPerson = new Map<string, number[]>();
      for (const c of perClip.filter((x) => x.clip.kind === 'genuine')) {
        genuineByPerson.set(c.clip.person, [
          ...(genuineByPerson.get(c.clip.person) ?? []),
          ...windowsOf(c.frames, m, seconds),
        ]);
      }
      const attack = perClip
        .filter((x) => x.clip.kind === 'attack')
        .flatMap((x) => windowsOf(x.frames, m, seconds));
      const allGenuine = [...genuineByPerson.values()].flat();
      const ownGenuine = attackPerson ? (genuineByPerson.get(attackPerson) ?? []) : [];
      const attackMax = Math.max(...attack.filter((v) => Number.isFinite(v)));
      const perPersonAtOracle = [...genuineByPerson.values()].map((w) =>
        fraction(w, (v) => v <= attackMax),
      );
      const lopo = Object.fromEntries(
        quantiles.map((q) => {
          const folds = leaveOnePersonOut(genuineByPerson, attack, q);
          return [
            String(q),
            {
              /** The same rule on every genuine person: the constant a shipped vote would use. */
              allPeopleThreshold: round(groupWeightedQuantile([...genuineByPerson.values()], q)),
              summary: summarise(folds, attackPerson),
              folds: folds.map((f) => ({
                ...f,
                threshold: round(f.threshold),
                heldOutRefusal: round(f.heldOutRefusal),
                heldOutMargin: round(f.heldOutMargin),
                attackAcceptance: round(f.attackAcceptance),
                attackMargin: round(f.attackMargin),
                attackMedianMargin: round(f.attackMedianMargin),
              })),
            },
          ];
        }),
      );
      report[m][String(seconds)] = {
        /** Threshold-free: P(genuine window > attack window); < 0.5: attacks score higher. */
        windowAuc: {
          allGenuineVsAttack: round(auc(allGenuine, attack)),
          sameManSameCameraVsAttack: round(auc(ownGenuine, attack)),
        },
        genuineWindows: allGenuine.filter((v) => Number.isFinite(v)).length,
        attackWindows: attack.filter((v) => Number.isFinite(v)).length,
        attackWindowScores: attack.map((v) => round(v)),
        /**
         * Optimistic on purpose (the threshold is put on the attack itself, just above its best
         * window): the live windows that threshold would refuse, person-weighted mean, worst
         * person, and the attacked man's own live clip.
         */
        oracleJustAboveAttack: {
          threshold: round(attackMax),
          meanPersonRefusal: round(
            perPersonAtOracle.reduce((a, b) => a + b, 0) / perPersonAtOracle.length,
          ),
          worstPersonRefusal: round(Math.max(...perPersonAtOracle)),
          attackedMansOwnRefusal: round(fraction(ownGenuine, (v) => v <= attackMax)),
        },
        lopo,
      };
    }
  }

  console.log(
    '\nLeave-one-person-out (threshold = q-quantile of the other people, person-weighted)',
  );
  for (const m of MODELS) {
    for (const seconds of windowSeconds) {
      const r = report[m]![String(seconds)] as {
        windowAuc: Record<string, number>;
        attackWindowScores: number[];
        oracleJustAboveAttack: Record<string, number>;
        lopo: Record<string, { summary: ReturnType<typeof summarise> }>;
      };
      console.log(
        `${m}, ${seconds} s windows: AUC ${JSON.stringify(r.windowAuc)} attack ${JSON.stringify(r.attackWindowScores)}`,
      );
      console.log(`  oracle ${JSON.stringify(r.oracleJustAboveAttack)}`);
      for (const [q, { summary }] of Object.entries(r.lopo))
        console.log(`  q=${q} ${JSON.stringify(summary)}`);
    }
  }

  const cost = await measureCost(tf, models, costRuns);
  console.log(`cost per call (ms, Node tfjs wasm): ${JSON.stringify(cost)}`);

  if (flags.json) {
    const out = {
      method: {
        models:
          'Human 3.3.6 models/antispoof.json (128x128, sigmoid, higher = real) and models/liveness.json (32x32, softmax[0], higher = live)',
        crop: 'Human BlazeFace box x1.4, square, cropAndResize 192x192 bilinear, /255 (Human node-wasm, mesh on, cacheSensitivity 0)',
        fps,
        windowSeconds,
        window: 'consecutive, non-overlapping; median of the frames with a face (>= half of them)',
        threshold:
          "per held-out genuine person: the q-quantile of the other genuine people's windows, each person weighing the same; a window below it is refused",
        samePerson: groups,
        spans: Object.fromEntries(spans),
        frames: 'at their own size, no scaling or padding',
        costNote:
          'Node 20, tfjs-backend-wasm (SIMD, 1 thread), 2 shared cores under load, niced: an upper bound for a browser worker on wasm',
      },
      costMs: cost,
      clips: perClip.map(({ clip, frames }) => ({
        name: clip.name,
        folder: basename(dirname(clip.path)),
        kind: clip.kind,
        person: clip.person,
        frames: frames.length,
        framesWithFace: frames.filter((f) => f.box).length,
        antispoof: stats(frames.map((f) => f.antispoof ?? Number.NaN)),
        liveness: stats(frames.map((f) => f.liveness ?? Number.NaN)),
        windows: Object.fromEntries(
          windowSeconds.map((w) => [
            String(w),
            Object.fromEntries(
              MODELS.map((m) => [m, windowsOf(frames, m, w).map((v) => round(v))]),
            ),
          ]),
        ),
      })),
      /** Per model, per window length (seconds). */
      models: report,
    };
    mkdirSync(dirname(resolve(flags.json)), { recursive: true });
    writeFileSync(resolve(flags.json), `${JSON.stringify(out, null, 2)}\n`);
    console.log(`wrote ${flags.json}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await main();
}
