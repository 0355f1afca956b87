/**
 * The liveness evaluation set: genuine sequences (every frame of each real video, at a fixed rate)
 * and presentation attacks made from photos (frames of the same videos and LFW-layout photos),
 * turned into per-frame mesh points by the app's front end in Chromium. Meshes are cached per
 * sequence, keyed by everything that made them, so re-scoring costs nothing.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Point } from '../../src/lib/math/align.ts';
import { seededRandom, shuffle } from '../../src/lib/math/seeded-random.ts';
import { FRONT_END_VERSION } from '../../src/lib/vision/front-end-version.ts';
import type { PresentedFrameResult } from '../../src/tools/batch-protocol.ts';
import { LIVENESS_POINTS } from '../../src/lib/decisions/liveness-points.ts';
import { measureFrame, type MeshPoints } from '../../src/lib/decisions/liveness.ts';
import {
  ATTACK_TYPES,
  DEFAULT_ATTACK_OPTIONS,
  attackFrames,
  type AttackOptions,
  type AttackSource,
  type AttackType,
} from './attacks.ts';
import { BatchRunner, dataUrl } from './batch-runner.ts';
import { listLfwLayout } from './dataset.ts';
import { extractFrames, frameFile, listVideos } from './video-frames.ts';

const ROOT = resolve(import.meta.dirname, '../..');
export const LIVENESS_CACHE = resolve(ROOT, '.cache/liveness');

export interface MeshFrame {
  /** Seconds since the sequence started. */
  t: number;
  /** Kept mesh points by mesh index (LIVENESS_POINTS), or null when the front end found no face. */
  points: MeshPoints | null;
  meshScore: number;
  faces: number;
  quality: string[];
  pose: { yaw: number; pitch: number; roll: number } | null;
}

export interface Sequence {
  /** `replay`: a real recording of an attack (a face on a phone or a monitor held to a camera). */
  kind: 'genuine' | 'replay' | AttackType;
  /** Video name (genuine) or photo(s) the attack was made from. */
  label: string;
  frames: MeshFrame[];
}

export interface SetOptions {
  /** Folders of genuine videos (one live person each). */
  videos: string | readonly string[];
  /** Folders of recorded attacks: every window of every video there is an attack. */
  attackVideos?: readonly string[];
  photos: string;
  /** LFW-layout people to attack with (each needs two photos, for the cut). */
  people: number;
  /** Frames of each video used as attack photos. */
  videoPhotos: number;
  seed: number;
  attack: AttackOptions;
  /** Only make this many attacks per type (quick looks); Infinity for all. */
  limit: number;
  /** Only these attack types (all when absent). */
  types?: readonly AttackType[];
  log?: (line: string) => void;
}

function key(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

function decode(
  label: string,
  kind: Sequence['kind'],
  fps: number,
  raw: PresentedFrameResult[],
): Sequence {
  return {
    kind,
    label,
    frames: raw.map((r, i) => ({
      t: i / fps,
      points: r.points
        ? Object.fromEntries(
            LIVENESS_POINTS.map((index, k) => [
              index,
              [r.points![3 * k]!, r.points![3 * k + 1]!, r.points![3 * k + 2]!] as const,
            ]),
          )
        : null,
      meshScore: r.meshScore,
      faces: r.faces,
      quality: r.quality,
      pose: r.pose,
    })),
  };
}

function cached(
  file: string,
  make: () => Promise<PresentedFrameResult[]>,
): Promise<PresentedFrameResult[]> {
  if (existsSync(file)) return Promise.resolve(JSON.parse(readFileSync(file, 'utf8')));
  return make().then((raw) => {
    writeFileSync(file, JSON.stringify(raw));
    return raw;
  });
}

/** Names one extraction: the video file's version and the frame rate (the default rate unsaid). */
function videoTag(path: string, fps: number): string {
  const s = statSync(path);
  return key(
    fps === DEFAULT_ATTACK_OPTIONS.fps ? [path, s.size, s.mtimeMs] : [path, s.size, s.mtimeMs, fps],
  );
}

/** Every genuine sequence (one per video) and every attack, meshes made or read from the cache. */
export async function buildLivenessSet(options: SetOptions): Promise<Sequence[]> {
  const log = options.log ?? console.log;
  const framesRoot = resolve(LIVENESS_CACHE, 'frames');
  const meshRoot = resolve(LIVENESS_CACHE, 'meshes');
  mkdirSync(meshRoot, { recursive: true });
  const folders = typeof options.videos === 'string' ? [options.videos] : [...options.videos];
  const videos = folders.flatMap((folder) => {
    const found = listVideos(folder);
    if (found.length === 0) throw new Error(`no videos (mp4, webm, mov, mkv, avi) in ${folder}`);
    return found;
  });
  const replays = (options.attackVideos ?? []).flatMap((folder) => {
    const found = listVideos(folder);
    if (found.length === 0) throw new Error(`no videos (mp4, webm, mov, mkv, avi) in ${folder}`);
    return found;
  });
  const names = new Set<string>();
  for (const v of [...videos, ...replays]) {
    if (names.has(v.name)) throw new Error(`two videos are named ${v.name}: rename one`);
    names.add(v.name);
  }
  // Genuine frames at the attacks' rate, so both are judged alike.
  const fps = options.attack.fps;
  const frameCounts = new Map<string, number>();
  // One folder per video file version and rate, so a replaced video is extracted again.
  const frameDirs = new Map<string, string>();
  for (const video of [...videos, ...replays]) {
    const dirName = `${video.name}-${videoTag(video.path, fps)}`;
    frameDirs.set(video.name, dirName);
    const n = extractFrames(video.path, video.name, resolve(framesRoot, dirName), fps);
    frameCounts.set(video.name, n);
  }
  const frameUrl = (video: { name: string }, i: number) =>
    dataUrl(`${frameDirs.get(video.name)}/${frameFile(video.name, i)}`, '/__frames/');

  const runner = await BatchRunner.start(options.photos, [], { '/__frames/': framesRoot });
  const sequences: Sequence[] = [];
  try {
    const keep = [...LIVENESS_POINTS];
    const stamp = { frontEnd: FRONT_END_VERSION, keep };
    // Genuine and recorded attacks: each video whole, tracked from its first frame like a camera.
    for (const [kind, video] of [
      ...videos.map((v) => ['genuine', v] as const),
      ...replays.map((v) => ['replay', v] as const),
    ]) {
      const n = frameCounts.get(video.name) ?? 0;
      const sources = Array.from({ length: n }, (_, i) => frameUrl(video, i));
      const file = resolve(meshRoot, `genuine-${video.name}-${key([stamp, sources])}.json`);
      const started = Date.now();
      const raw = await cached(file, () =>
        runner.present({
          sources,
          // 0: the size of the video's frames.
          width: 0,
          height: 0,
          keep,
          frames: sources.map((_, i) => ({
            source: i,
            toSource: [1, 0, 0, 0, 1, 0, 0, 0, 1],
            noise: 0,
          })),
        }),
      );
      log(`${kind} ${video.name}: ${n} frames (${Date.now() - started} ms)`);
      sequences.push(decode(video.name, kind, fps, raw));
    }

    // Attack photos: frames of each video, and LFW-layout people with two photos or more.
    const random = seededRandom(options.seed);
    const pairs: { label: string; urls: [string] | [string, string] }[] = [];
    for (const video of videos) {
      const n = frameCounts.get(video.name) ?? 0;
      for (let k = 0; k < options.videoPhotos; k++) {
        const a = Math.floor(((k + 0.5) / options.videoPhotos) * n);
        const b = Math.floor(((k + 0.5 + 0.5) / options.videoPhotos) * n) % n;
        pairs.push({ label: `${video.name}#${a}`, urls: [frameUrl(video, a), frameUrl(video, b)] });
      }
    }
    // Slideshow pairs from each video's own frames: its straightest and most turned frame, and its
    // most closed and most open mouth (the pairs that show the most "motion" in one jump).
    const slides: { label: string; urls: [string, string] }[] = [];
    for (const video of videos) {
      const seq = sequences.find((q) => q.kind === 'genuine' && q.label === video.name);
      if (!seq) continue;
      const usable = seq.frames
        .map((f, i) => ({
          f,
          i,
          m: f.points && f.quality.length === 0 ? measureFrame(f.points) : null,
        }))
        .filter((x) => x.m !== null && x.f.pose !== null);
      if (usable.length < 2) continue;
      const by = (score: (x: (typeof usable)[number]) => number) =>
        usable.reduce((best, x) => (score(x) > score(best) ? x : best));
      const straight = by((x) => -Math.abs(x.f.pose!.yaw) - Math.abs(x.f.pose!.pitch));
      const turned = by((x) => Math.abs(x.f.pose!.yaw - straight.f.pose!.yaw));
      const closed = by((x) => -x.m!.mouth);
      const open = by((x) => x.m!.mouth);
      if (turned.i !== straight.i) {
        slides.push({
          label: `${video.name}#turn${straight.i}-${turned.i}`,
          urls: [frameUrl(video, straight.i), frameUrl(video, turned.i)],
        });
      }
      if (open.i !== closed.i) {
        slides.push({
          label: `${video.name}#mouth${closed.i}-${open.i}`,
          urls: [frameUrl(video, closed.i), frameUrl(video, open.i)],
        });
      }
    }
    const byPerson = new Map<string, string[]>();
    for (const { person, file } of listLfwLayout(options.photos)) {
      const list = byPerson.get(person) ?? [];
      list.push(file);
      byPerson.set(person, list);
    }
    const candidates = shuffle(
      [...byPerson.entries()].filter(([, files]) => files.length >= 2),
      random,
    );
    for (const [person, files] of candidates.slice(0, options.people)) {
      pairs.push({ label: person, urls: [dataUrl(files[0]!), dataUrl(files[1]!)] });
    }
    // A folder with too few people of two photos: the rest from people with one (no cut for them).
    const singles = shuffle(
      [...byPerson.entries()].filter(([, files]) => files.length === 1),
      random,
    );
    for (const [person, files] of singles.slice(
      0,
      Math.max(0, options.people - candidates.length),
    )) {
      pairs.push({ label: person, urls: [dataUrl(files[0]!)] });
    }

    // Where the face is in each photo (alignment points), for placing and cutting.
    const keypoints = new Map<string, readonly Point[]>();
    const allUrls = [...new Set([...pairs, ...slides].flatMap((p) => p.urls))];
    const kpFile = resolve(meshRoot, `keypoints-${key([stamp, allUrls])}.json`);
    if (existsSync(kpFile)) {
      for (const [u, k] of JSON.parse(readFileSync(kpFile, 'utf8')) as [string, Point[]][]) {
        keypoints.set(u, k);
      }
    } else {
      for (let i = 0; i < allUrls.length; i += 50) {
        const batch = allUrls.slice(i, i + 50);
        const results = await runner.processUrls(batch, { maxDetectSide: 1024, refine: true });
        for (const r of results) if (r.keypoints) keypoints.set(r.url, r.keypoints);
      }
      writeFileSync(kpFile, JSON.stringify([...keypoints.entries()]));
    }
    const usable = pairs.filter((p) => p.urls.every((u) => keypoints.has(u)));
    log(`attack photos: ${usable.length} of ${pairs.length} with a face found in every photo`);
    const usableSlides = slides.filter((p) => p.urls.every((u) => keypoints.has(u)));

    for (const type of options.types ?? ATTACK_TYPES) {
      const started = Date.now();
      let made = 0;
      // Slideshows: each video's own turned and mouth pairs, then the photo pairs.
      const list = type === 'slideshow' ? [...usableSlides, ...usable] : usable;
      for (const [index, pair] of list.entries()) {
        if (made >= options.limit) break;
        const paired = type === 'cut' || type === 'slideshow';
        if (paired && pair.urls.length < 2) continue;
        const attackRandom = seededRandom(
          options.seed * 1_000_003 + index * 17 + ATTACK_TYPES.indexOf(type),
        );
        const sources: AttackSource[] = pair.urls
          .slice(0, paired ? 2 : 1)
          .map((url) => ({ url, keypoints: keypoints.get(url)! }));
        const frames = attackFrames(type, sources, attackRandom, options.attack);
        const request = {
          sources: sources.map((s) => s.url),
          width: options.attack.width,
          height: options.attack.height,
          keep,
          frames,
        };
        const file = resolve(meshRoot, `${type}-${key([stamp, request])}.json`);
        const raw = await cached(file, () => runner.present(request));
        sequences.push(decode(pair.label, type, options.attack.fps, raw));
        made++;
      }
      log(`${type}: ${made} attacks (${Math.round((Date.now() - started) / 1000)} s)`);
    }
  } finally {
    await runner.close();
  }
  return sequences;
}

/** Which cached mesh files exist (for a quick look at what a run will recompute). */
export function cachedMeshFiles(): string[] {
  const dir = resolve(LIVENESS_CACHE, 'meshes');
  return existsSync(dir) ? readdirSync(dir) : [];
}
