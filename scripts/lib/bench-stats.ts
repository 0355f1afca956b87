/**
 * Pure summaries for `npm run bench`: percentiles, and the app's per-frame performance marks
 * (`facegate:frame`) turned into the bench's per-frame numbers.
 */

/** The detail of one `facegate:frame` mark, as the app's performance contract defines it. */
export interface FrameTiming {
  detectMs: number;
  landmarkMs: number;
  alignMs: number;
  embedMs: number;
  matchMs: number;
  totalMs: number;
  /** Inside the worker: analysis, plus the backbone when it ran (absent from older apps). */
  workerMs?: number;
  /** On the page: the frame's copy out of the video (createImageBitmap; absent from older apps). */
  grabMs?: number;
}

export interface FrameMark {
  /** The mark's startTime (ms since the page's navigation start). */
  startTime: number;
  detail: FrameTiming;
}

export interface FrameSummary {
  frames: number;
  e2e_ms_median: number;
  e2e_ms_p90: number;
  detect_ms_median: number;
  landmark_ms_median: number;
  align_ms_median: number;
  /** Over the frames that were embedded (embedMs > 0); null when none was. */
  embed_ms_median: number | null;
  embedded_frames: number;
  /** Over the embedded frames that were matched (matchMs > 0); null when none was. */
  match_ms_median: number | null;
  /**
   * Worker time (workerMs) of the frames analysed without the backbone (embedMs 0), and of the
   * frames that ran it; null when there were none or the app reports no workerMs.
   */
  tracked_frame_ms_median: number | null;
  tracked_frame_ms_p90: number | null;
  tracked_frames: number;
  embed_frame_ms_median: number | null;
  embed_frame_ms_p90: number | null;
  /** The frame's copy out of the video on the page (grabMs); null when the app reports none. */
  grab_ms_median: number | null;
  /** embedded_frames / frames. */
  embedded_fraction: number;
  /** Analysed frames per second between the first and the last mark; null under two marks. */
  fps: number | null;
}

const FRAME_KEYS = ['detectMs', 'landmarkMs', 'alignMs', 'embedMs', 'matchMs', 'totalMs'] as const;

/** Linear interpolation between order statistics (numpy's default); null for no values. */
export function percentile(values: readonly number[], p: number): number | null {
  if (!(p >= 0 && p <= 100)) throw new Error(`percentile ${p} is outside 0..100`);
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const a = sorted[low] as number;
  const b = sorted[high] as number;
  return a + (b - a) * (rank - low);
}

export const median = (values: readonly number[]) => percentile(values, 50);

/** Rounds to 0.1 (ms, s): finer digits are noise on a shared machine; null stays null. */
export function round1(value: number | null): number | null {
  return value === null ? null : Math.round(value * 10) / 10;
}

/**
 * A mark's detail as a FrameTiming, or null when it breaks the contract (a field missing, not a
 * finite number, or negative): the bench must not average what the app did not measure.
 */
export function parseFrameTiming(detail: unknown): FrameTiming | null {
  if (typeof detail !== 'object' || detail === null) return null;
  const record = detail as Record<string, unknown>;
  const out = {} as FrameTiming;
  for (const key of FRAME_KEYS) {
    const value = record[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return null;
    out[key] = value;
  }
  for (const key of ['workerMs', 'grabMs'] as const) {
    const value = record[key];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) out[key] = value;
  }
  return out;
}

/**
 * The per-frame numbers over these marks; null when there is none. `aside`: the `facegate:embed`
 * marks of embeddings made in the embedder worker beside the frames (their frames' own marks
 * say embedMs 0): they count as embedded frames, and their worker time as embed_frame_ms.
 */
export function summarizeFrames(
  marks: readonly FrameMark[],
  aside: readonly FrameMark[] = [],
): FrameSummary | null {
  if (marks.length === 0) return null;
  const pick = (key: (typeof FRAME_KEYS)[number]) => marks.map((m) => m.detail[key]);
  const embeddedMarks = [...marks.filter((m) => m.detail.embedMs > 0), ...aside];
  const embedded = embeddedMarks.map((m) => m.detail.embedMs).filter((ms) => ms > 0);
  const matched = embeddedMarks.map((m) => m.detail.matchMs).filter((ms) => ms > 0);
  // The optional timings, over the marks that report them.
  const reported = (list: readonly FrameMark[], key: 'workerMs' | 'grabMs') =>
    list.flatMap((m) => (m.detail[key] === undefined ? [] : [m.detail[key]]));
  const workerTimes = (list: readonly FrameMark[]) => reported(list, 'workerMs');
  const tracked = workerTimes(marks.filter((m) => m.detail.embedMs === 0));
  const embedFrames = workerTimes(embeddedMarks);
  const trackedCount = marks.filter((m) => m.detail.embedMs === 0).length;
  const times = marks.map((m) => m.startTime).sort((a, b) => a - b);
  const span = (times[times.length - 1] as number) - (times[0] as number);
  return {
    frames: marks.length,
    e2e_ms_median: median(pick('totalMs')) as number,
    e2e_ms_p90: percentile(pick('totalMs'), 90) as number,
    detect_ms_median: median(pick('detectMs')) as number,
    landmark_ms_median: median(pick('landmarkMs')) as number,
    align_ms_median: median(pick('alignMs')) as number,
    embed_ms_median: median(embedded),
    embedded_frames: embedded.length,
    match_ms_median: median(matched),
    tracked_frame_ms_median: median(tracked),
    tracked_frame_ms_p90: percentile(tracked, 90),
    tracked_frames: trackedCount,
    embed_frame_ms_median: median(embedFrames),
    embed_frame_ms_p90: percentile(embedFrames, 90),
    grab_ms_median: median(reported(marks, 'grabMs')),
    embedded_fraction: embedded.length / marks.length,
    fps: marks.length >= 2 && span > 0 ? ((marks.length - 1) * 1000) / span : null,
  };
}

export interface LongTask {
  startTime: number;
  duration: number;
}

/** Long tasks that overlap [from, to] (ms on the page's clock): their count and the longest. */
export function longTasksWithin(
  tasks: readonly LongTask[],
  from: number,
  to: number,
): { count: number; longest_ms: number } {
  const inside = tasks.filter((t) => t.startTime <= to && t.startTime + t.duration >= from);
  return { count: inside.length, longest_ms: Math.max(0, ...inside.map((t) => t.duration)) };
}

/** One unlock attempt's frame counters, from its `facegate:decision` mark (face-session.svelte.ts). */
export interface AttemptCount {
  /** Frames analysed while the attempt was looking, and how many of them ran the backbone. */
  analysedFrames: number;
  embeddedFrames: number;
  /** From the attempt's first analysed frame to its last (ms). */
  analysedMs: number;
}

/** A decision mark's counters, or null when the app reports none (or they make no sense). */
export function parseAttemptCount(detail: unknown): AttemptCount | null {
  if (typeof detail !== 'object' || detail === null) return null;
  const record = detail as Record<string, unknown>;
  const out = {} as AttemptCount;
  for (const key of ['analysedFrames', 'embeddedFrames', 'analysedMs'] as const) {
    const value = record[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return null;
    out[key] = value;
  }
  return out.embeddedFrames <= out.analysedFrames ? out : null;
}

/**
 * Over the attempts: analysed frames per second while they looked (each attempt's frames after
 * its first, over the time from its first frame to its last), and the share of analysed frames
 * that ran the backbone. Null where no attempt counted enough frames.
 */
export function attemptRates(counts: readonly AttemptCount[]): {
  attempt_fps: number | null;
  embedded_fraction: number | null;
  analysed_frames: number;
  embedded_frames: number;
} {
  const analysed = counts.reduce((a, c) => a + c.analysedFrames, 0);
  const embedded = counts.reduce((a, c) => a + c.embeddedFrames, 0);
  const timed = counts.filter((c) => c.analysedFrames >= 2 && c.analysedMs > 0);
  const intervals = timed.reduce((a, c) => a + c.analysedFrames - 1, 0);
  const ms = timed.reduce((a, c) => a + c.analysedMs, 0);
  return {
    attempt_fps: ms > 0 ? (intervals * 1000) / ms : null,
    embedded_fraction: analysed > 0 ? embedded / analysed : null,
    analysed_frames: analysed,
    embedded_frames: embedded,
  };
}
