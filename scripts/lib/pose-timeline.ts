/**
 * Per-frame head pose of a video's webcam-like frames (webcam-frames.ts), measured by the app's
 * own front end (src/tools/batch.html through batch-runner.ts, the mesh tracked from frame to
 * frame as in the app), on every `step`-th frame (about 10 a second). Cached under
 * .cache/coop/timelines/, keyed by the frames and the front end's version.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { FRONT_END_VERSION } from '../../src/lib/vision/front-end-version.ts';
import { LIVENESS_POINTS } from '../../src/lib/decisions/liveness-points.ts';
import { LivenessCheck, type MeshPoints } from '../../src/lib/decisions/liveness.ts';
import { BatchRunner, dataUrl } from './batch-runner.ts';
import type { PoseSample, PoseTimeline } from './stretch-finder.ts';
import { COOP_CACHE, WEBCAM, webcamFrameName, type WebcamFrames } from './webcam-frames.ts';

const TIMELINE_FPS = 10;

function timelineFile(frames: WebcamFrames, step: number): string {
  const key = createHash('sha256')
    .update(JSON.stringify([basename(frames.dir), frames.count, step, FRONT_END_VERSION]))
    .digest('hex')
    .slice(0, 12);
  return resolve(COOP_CACHE, 'timelines', `${frames.name}-${key}.json`);
}

/** The cached timeline, or null when it has not been measured. */
export function cachedTimeline(frames: WebcamFrames): PoseTimeline | null {
  const step = Math.max(1, Math.round(frames.fps / TIMELINE_FPS));
  const file = timelineFile(frames, step);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as PoseTimeline) : null;
}

/**
 * The timelines of these videos, measured where not cached (one Chromium for all of them).
 */
export async function poseTimelines(
  all: readonly WebcamFrames[],
  log: (line: string) => void = console.log,
): Promise<Map<string, PoseTimeline>> {
  const out = new Map<string, PoseTimeline>();
  const missing = all.filter((f) => {
    const cached = cachedTimeline(f);
    if (cached) out.set(f.name, cached);
    return !cached;
  });
  if (missing.length === 0) return out;
  mkdirSync(resolve(COOP_CACHE, 'timelines'), { recursive: true });
  const root = resolve(COOP_CACHE, 'frames');
  const runner = await BatchRunner.start(root);
  try {
    for (const frames of missing) {
      const started = Date.now();
      const step = Math.max(1, Math.round(frames.fps / TIMELINE_FPS));
      const indices = Array.from({ length: Math.ceil(frames.count / step) }, (_, k) => k * step);
      const sources = indices.map((i) => dataUrl(`${basename(frames.dir)}/${webcamFrameName(i)}`));
      const raw = await runner.present({
        sources,
        width: WEBCAM.width,
        height: WEBCAM.height,
        keep: [],
        frames: sources.map((_, k) => ({
          source: k,
          toSource: [1, 0, 0, 0, 1, 0, 0, 0, 1],
          noise: 0,
        })),
      });
      const samples: PoseSample[] = raw.map((r, k) => ({
        frame: indices[k]!,
        yaw: r.pose ? Math.round(r.pose.yaw * 10) / 10 : null,
        pitch: r.pose ? Math.round(r.pose.pitch * 10) / 10 : null,
        ok: r.pose !== null && r.quality.filter((q) => q !== 'head_turned').length === 0,
      }));
      const timeline: PoseTimeline = {
        name: frames.name,
        fps: frames.fps,
        count: frames.count,
        samples,
      };
      writeFileSync(timelineFile(frames, step), JSON.stringify(timeline));
      out.set(frames.name, timeline);
      log(`pose timeline ${frames.name}: ${samples.length} frames in ${Date.now() - started} ms`);
    }
  } finally {
    await runner.close();
  }
  return out;
}

/** How far ahead a sign of life is looked for (s): the app's own limit. */
const ALIVE_HORIZON_S = 6;

/**
 * For each sample of the timeline: seconds from playing the footage in order from there until
 * the app's liveness check (decisions/liveness.ts, on the front end's mesh points) finds a sign of
 * life, or null when none within ALIVE_HORIZON_S. Measured once per video and cached.
 */
export async function aliveAfter(
  frames: WebcamFrames,
  timeline: PoseTimeline,
  log: (line: string) => void = console.log,
): Promise<(number | null)[]> {
  const step = Math.max(1, Math.round(frames.fps / TIMELINE_FPS));
  const file = timelineFile(frames, step).replace(/\.json$/, '-alive.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as (number | null)[];
  const runner = await BatchRunner.start(resolve(COOP_CACHE, 'frames'));
  let points: (MeshPoints | null)[];
  const started = Date.now();
  try {
    const sources = timeline.samples.map((s) =>
      dataUrl(`${basename(frames.dir)}/${webcamFrameName(s.frame)}`),
    );
    const keep = [...LIVENESS_POINTS];
    const raw = await runner.present({
      sources,
      width: WEBCAM.width,
      height: WEBCAM.height,
      keep,
      frames: sources.map((_, k) => ({
        source: k,
        toSource: [1, 0, 0, 0, 1, 0, 0, 0, 1],
        noise: 0,
      })),
    });
    points = raw.map((r) =>
      r.points
        ? Object.fromEntries(
            keep.map((index, k) => [
              index,
              [r.points![3 * k]!, r.points![3 * k + 1]!, r.points![3 * k + 2]!] as const,
            ]),
          )
        : null,
    );
  } finally {
    await runner.close();
  }
  const ms = (k: number) => (timeline.samples[k]!.frame / frames.fps) * 1000;
  const out = timeline.samples.map((_, k) => {
    const check = new LivenessCheck();
    for (let j = k; j < points.length && ms(j) - ms(k) <= ALIVE_HORIZON_S * 1000; j++) {
      check.push(ms(j), points[j] ?? null);
      if (check.live) return Math.round(ms(j) - ms(k)) / 1000;
    }
    return null;
  });
  writeFileSync(file, JSON.stringify(out));
  log(`signs of life ${frames.name}: ${Date.now() - started} ms`);
  return out;
}
