import { describe, expect, it } from 'vitest';
import {
  attemptRates,
  longTasksWithin,
  parseAttemptCount,
  median,
  parseFrameTiming,
  percentile,
  summarizeFrames,
  type FrameMark,
  type FrameTiming,
} from '../../../scripts/lib/bench-stats.ts';

const timing = (over: Partial<FrameTiming> = {}): FrameTiming => ({
  detectMs: 10,
  landmarkMs: 5,
  alignMs: 2,
  embedMs: 0,
  matchMs: 0,
  totalMs: 17,
  ...over,
});

describe('percentile', () => {
  it('interpolates between order statistics, whatever the input order', () => {
    expect(percentile([40, 10, 30, 20], 50)).toBe(25);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBeCloseTo(9.1);
    expect(percentile([7], 90)).toBe(7);
    expect(median([3, 1, 2])).toBe(2);
  });

  it('is null without values and refuses a percentile outside 0..100', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([Number.NaN], 50)).toBeNull();
    expect(() => percentile([1], 101)).toThrow();
  });
});

describe('parseFrameTiming', () => {
  it('keeps a detail that has every field as a finite, non-negative number', () => {
    expect(parseFrameTiming({ ...timing(), extra: 'ignored' })).toEqual(timing());
  });

  it('refuses a detail that breaks the contract', () => {
    expect(parseFrameTiming(null)).toBeNull();
    expect(parseFrameTiming('17')).toBeNull();
    const missing: Partial<FrameTiming> = timing();
    delete missing.embedMs;
    expect(parseFrameTiming(missing)).toBeNull();
    expect(parseFrameTiming(timing({ totalMs: Number.NaN }))).toBeNull();
    expect(parseFrameTiming(timing({ detectMs: -1 }))).toBeNull();
    expect(parseFrameTiming({ ...timing(), alignMs: '2' })).toBeNull();
  });
});

describe('summarizeFrames', () => {
  it('is null for no frames', () => {
    expect(summarizeFrames([])).toBeNull();
  });

  it('takes embed and match medians over the frames that did them, and the rate over the span', () => {
    const marks: FrameMark[] = [
      { startTime: 1000, detail: timing({ totalMs: 20 }) },
      { startTime: 1100, detail: timing({ totalMs: 60, embedMs: 40, matchMs: 1 }) },
      { startTime: 1200, detail: timing({ totalMs: 30, detectMs: 14 }) },
      { startTime: 1300, detail: timing({ totalMs: 80, embedMs: 50, matchMs: 3 }) },
      { startTime: 1400, detail: timing({ totalMs: 40 }) },
    ];
    const s = summarizeFrames(marks);
    expect(s).toMatchObject({
      frames: 5,
      e2e_ms_median: 40,
      detect_ms_median: 10,
      embed_ms_median: 45,
      embedded_frames: 2,
      match_ms_median: 2,
      fps: 10,
    });
    expect(s?.e2e_ms_p90).toBeCloseTo(72);
  });

  it('leaves embed, match and the rate null when nothing was embedded and one frame came', () => {
    const s = summarizeFrames([{ startTime: 5, detail: timing() }]);
    expect(s).toMatchObject({ frames: 1, embed_ms_median: null, match_ms_median: null, fps: null });
  });
});

describe('summarizeFrames at the camera rate', () => {
  it('splits worker time into tracked frames (no backbone) and embedded frames', () => {
    const marks: FrameMark[] = [
      { startTime: 0, detail: timing({ workerMs: 10 }) },
      { startTime: 33, detail: timing({ workerMs: 12 }) },
      { startTime: 66, detail: timing({ workerMs: 55, embedMs: 40, matchMs: 1 }) },
      { startTime: 133, detail: timing({ workerMs: 14 }) },
      // Listener time on a frame without an embedding is no matching time.
      { startTime: 166, detail: timing({ workerMs: 11, matchMs: 0.2 }) },
    ];
    const s = summarizeFrames(marks);
    expect(s).toMatchObject({
      tracked_frames: 4,
      tracked_frame_ms_median: 11.5,
      embed_frame_ms_median: 55,
      embedded_fraction: 0.2,
      match_ms_median: 1,
    });
    expect(s?.tracked_frame_ms_p90).toBeCloseTo(13.4);
  });

  it('leaves the worker times null for an app that reports no workerMs', () => {
    expect(summarizeFrames([{ startTime: 0, detail: timing() }])).toMatchObject({
      tracked_frame_ms_median: null,
      embed_frame_ms_median: null,
    });
  });
});

describe('attemptRates', () => {
  it('reads the decision mark counters, refusing what breaks them', () => {
    const ok = { analysedFrames: 30, embeddedFrames: 6, analysedMs: 1000, status: 'accepted' };
    expect(parseAttemptCount(ok)).toEqual({
      analysedFrames: 30,
      embeddedFrames: 6,
      analysedMs: 1000,
    });
    expect(parseAttemptCount({ status: 'accepted' })).toBeNull();
    expect(parseAttemptCount({ ...ok, embeddedFrames: 31 })).toBeNull();
    expect(parseAttemptCount({ ...ok, analysedMs: -1 })).toBeNull();
  });

  it('rates frames over each attempt from its first frame to its last', () => {
    const r = attemptRates([
      { analysedFrames: 31, embeddedFrames: 5, analysedMs: 1000 },
      { analysedFrames: 16, embeddedFrames: 5, analysedMs: 500 },
      // One frame: no interval to time, but its frames count.
      { analysedFrames: 1, embeddedFrames: 0, analysedMs: 0 },
    ]);
    expect(r.attempt_fps).toBeCloseTo(30);
    expect(r.embedded_fraction).toBeCloseTo(10 / 48);
    expect(r).toMatchObject({ analysed_frames: 48, embedded_frames: 10 });
  });

  it('is null without attempts', () => {
    expect(attemptRates([])).toMatchObject({ attempt_fps: null, embedded_fraction: null });
  });
});

describe('longTasksWithin', () => {
  it('counts the tasks overlapping the window, including those that start before it', () => {
    const tasks = [
      { startTime: 0, duration: 60 },
      { startTime: 90, duration: 120 },
      { startTime: 250, duration: 70 },
      { startTime: 400, duration: 300 },
    ];
    expect(longTasksWithin(tasks, 100, 300)).toEqual({ count: 2, longest_ms: 120 });
    expect(longTasksWithin(tasks, 1000, 2000)).toEqual({ count: 0, longest_ms: 0 });
  });
});
