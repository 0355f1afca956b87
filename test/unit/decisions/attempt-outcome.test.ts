import { describe, expect, it } from 'vitest';
import {
  AttemptTracker,
  frameProblem,
  attemptDeadlineMs,
  type AttemptLimits,
} from '../../../src/lib/decisions/attempt-outcome';

const LIMITS: AttemptLimits = {
  startupMs: 15_000,
  stallMs: 4_000,
  maxMs: 12_000,
  minFrames: 30,
  hardMaxMs: 20_000,
  maxFrames: 450,
};

/** Frames every 100 ms from `from` to `to` (exclusive), each with the given problem. */
function feed(
  t: AttemptTracker,
  from: number,
  to: number,
  problem: Parameters<AttemptTracker['frame']>[1],
) {
  for (let now = from; now < to; now += 100) t.frame(now, problem);
}

describe('frameProblem', () => {
  it('is null for a usable frame and the first reason otherwise', () => {
    expect(frameProblem([], 1)).toBeNull();
    expect(frameProblem(['head_turned', 'blurry'], 1)).toBe('head_turned');
  });

  it('calls a low-score detection unclear, so the text agrees with the box drawn around it', () => {
    expect(frameProblem(['no_face'], 0)).toBe('no_face');
    expect(frameProblem(['no_face'], 1)).toBe('face_unclear');
  });
});

describe('AttemptTracker', () => {
  it('goes on while usable frames keep coming', () => {
    const t = new AttemptTracker(0, LIMITS);
    feed(t, 500, 5_000, null);
    expect(t.check(5_000)).toBeNull();
  });

  it('stops after stallMs without a usable frame, with the most frequent reason', () => {
    const t = new AttemptTracker(0, LIMITS);
    feed(t, 1_000, 2_000, 'blurry'); // 10 frames
    feed(t, 2_000, 4_900, 'head_turned'); // 29 frames
    expect(t.check(4_900)).toBeNull();
    const end = t.check(5_000);
    expect(end).toMatchObject({ kind: 'timed_out', reason: 'head_turned', limit: 'stall' });
    expect(t.problemCounts().get('blurry')).toBe(10);
  });

  it('counts the stall from the last usable frame', () => {
    const t = new AttemptTracker(0, LIMITS);
    feed(t, 0, 3_000, 'too_dark');
    t.frame(3_000, null);
    feed(t, 3_100, 8_000, 'too_dark');
    expect(t.check(6_900)).toBeNull();
    expect(t.check(7_000)).toMatchObject({ kind: 'timed_out', reason: 'too_dark' });
  });

  it('breaks ties in favour of the more fundamental reason', () => {
    const t = new AttemptTracker(0, LIMITS);
    t.frame(0, 'blurry');
    t.frame(100, 'multiple_faces');
    expect(t.dominantProblem()).toBe('multiple_faces');
  });

  it('says two faces when two faces held it', () => {
    const t = new AttemptTracker(0, LIMITS);
    feed(t, 0, 4_100, 'multiple_faces');
    expect(t.check(4_100)).toMatchObject({ kind: 'timed_out', reason: 'multiple_faces' });
  });

  it('reports an unclear face, not "no face", when only low-score detections were seen', () => {
    const t = new AttemptTracker(0, LIMITS);
    feed(t, 0, 4_100, frameProblem(['no_face'], 1));
    expect(t.check(4_100)).toMatchObject({ reason: 'face_unclear' });
  });

  it('waits for the camera to start, then stops if no frame ever comes', () => {
    const t = new AttemptTracker(1_000, LIMITS);
    expect(t.check(10_000)).toBeNull();
    expect(t.check(16_000)).toMatchObject({
      kind: 'timed_out',
      reason: 'no_frames',
      limit: 'startup',
    });
  });

  it('the clocks start at the first frame', () => {
    const t = new AttemptTracker(0, LIMITS);
    feed(t, 8_000, 12_100, 'blurry');
    expect(t.check(11_000)).toBeNull();
    expect(t.check(12_000)).toMatchObject({ kind: 'timed_out', reason: 'blurry' });
  });

  it('says the camera stopped when frames stop, whatever earlier frames showed', () => {
    const t = new AttemptTracker(0, LIMITS);
    feed(t, 0, 1_000, 'blurry');
    t.frame(1_000, null);
    expect(t.check(4_900)).toBeNull();
    expect(t.check(5_000)).toMatchObject({ kind: 'timed_out', reason: 'no_frames' });
  });

  it('rejects at maxMs when frames were mostly usable and matched without a run', () => {
    const t = new AttemptTracker(0, LIMITS);
    for (let now = 0; now < 12_000; now += 100) {
      t.frame(now, now % 300 === 0 ? 'blurry' : null);
      if (now % 300 !== 0) t.scored();
    }
    expect(t.check(11_999)).toBeNull();
    expect(t.check(12_000)).toEqual({ kind: 'rejected', limit: 'max', elapsedMs: 12_000 });
  });

  it('times out at maxMs with the dominant reason when usable frames were the minority', () => {
    const t = new AttemptTracker(0, LIMITS);
    for (let now = 0; now < 12_000; now += 100) {
      const usable = now % 1_000 === 0;
      t.frame(now, usable ? null : 'head_tilted');
      if (usable) t.scored();
    }
    expect(t.check(12_000)).toMatchObject({
      kind: 'timed_out',
      reason: 'head_tilted',
      limit: 'max',
    });
  });

  it('times out as undecided when usable frames were never matched', () => {
    const t = new AttemptTracker(0, LIMITS);
    feed(t, 0, 12_000, null);
    expect(t.check(12_000)).toMatchObject({ kind: 'timed_out', reason: 'undecided' });
  });

  it('refuses non-positive limits', () => {
    expect(() => new AttemptTracker(0, { ...LIMITS, stallMs: 0 })).toThrow(RangeError);
    expect(() => new AttemptTracker(0, { ...LIMITS, hardMaxMs: 0 })).toThrow(RangeError);
    expect(() => new AttemptTracker(0, { ...LIMITS, maxFrames: 0 })).toThrow(RangeError);
  });

  it('gives a slow machine (few frames) past maxMs, up to the hard limit and no further', () => {
    const t = new AttemptTracker(0, LIMITS);
    // One frame a second, every one usable and matched without a run: 13 frames by 12 s.
    for (let now = 0; now < 20_000; now += 1_000) {
      t.frame(now, null);
      t.scored();
      if (now >= 12_000 && now < 19_500) expect(t.check(now)).toBeNull();
    }
    expect(t.analysedFrames).toBeLessThan(LIMITS.minFrames);
    expect(t.check(20_000)).toEqual({ kind: 'rejected', limit: 'max', elapsedMs: 20_000 });
  });

  it('stops a fast camera after maxFrames frames without a verdict, before maxMs', () => {
    const t = new AttemptTracker(0, LIMITS);
    for (let i = 0; i < LIMITS.maxFrames; i++) {
      expect(t.check(i * 5)).toBeNull();
      t.frame(i * 5, 'head_turned');
    }
    expect(t.check(LIMITS.maxFrames * 5)).toMatchObject({
      kind: 'timed_out',
      reason: 'head_turned',
      limit: 'max',
    });
  });

  it('ends every attempt by attemptDeadlineMs, whatever the frames', () => {
    expect(attemptDeadlineMs(LIMITS)).toBe(35_000);
    // No frame ever: the startup limit.
    expect(new AttemptTracker(0, LIMITS).check(attemptDeadlineMs(LIMITS))).not.toBeNull();
    // A first frame at the last moment of startup, then a slow trickle of frames.
    const t = new AttemptTracker(0, LIMITS);
    for (let now = 14_999; now < attemptDeadlineMs(LIMITS); now += 3_000) t.frame(now, null);
    expect(t.check(attemptDeadlineMs(LIMITS))).not.toBeNull();
  });
});
