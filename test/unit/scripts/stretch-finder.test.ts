import { describe, expect, it } from 'vitest';
import { ENROLL_STEPS } from '../../../src/lib/decisions/enroll-guidance';
import {
  aliveWindow,
  findRepertoire,
  inView,
  playbackFor,
  runs,
  type PoseSample,
  type PoseTimeline,
} from '../../../scripts/lib/stretch-finder';

const step = (id: string) => ENROLL_STEPS.find((s) => s.id === id)!;

/** A timeline sampled every 3rd frame (30 fps footage, 10 samples a second) from poses. */
function timeline(poses: ([number, number] | null)[]): PoseTimeline {
  const samples: PoseSample[] = poses.map((p, k) => ({
    frame: 3 * k,
    yaw: p ? p[0] : null,
    pitch: p ? p[1] : null,
    ok: p !== null,
  }));
  return { name: 'x', fps: 30, count: 3 * poses.length, samples };
}

const hold = (n: number, yaw: number, pitch: number): [number, number][] =>
  Array.from({ length: n }, () => [yaw, pitch]);

/** Frontal for 4 s, a turn to the left and back, frontal, right, frontal, chin down, frontal. */
const COOPERATIVE = timeline([
  ...hold(40, 1, 2),
  [6, 2],
  [12, 2],
  ...hold(5, 22, 3),
  [10, 2],
  ...hold(10, 1, 2),
  [-8, 2],
  ...hold(4, -20, 1),
  ...hold(10, 0, 2),
  ...hold(3, 0, 12),
  ...hold(10, 1, 2),
]);

describe('runs', () => {
  it('finds maximal runs of usable samples passing the test', () => {
    const t = timeline([[0, 0], [1, 0], null, [2, 0], [30, 0], [3, 0]]);
    expect(runs(t.samples, (s) => Math.abs(s.yaw) < 10)).toEqual([
      [0, 1],
      [3, 3],
      [5, 5],
    ]);
  });
});

describe('inView', () => {
  it('keeps a margin inside the app’s ranges', () => {
    expect(inView(step('straight'), { yaw: 2, pitch: 2 }, null)).toBe(true);
    // The straight view is |yaw|, |pitch| <= 5: 4 is inside it but not with 2° to spare.
    expect(inView(step('straight'), { yaw: 4, pitch: 0 }, null)).toBe(false);
    expect(inView(step('left'), { yaw: 16, pitch: 0 }, { yaw: 1, pitch: 0 })).toBe(true);
    expect(inView(step('left'), { yaw: 14, pitch: 0 }, { yaw: 1, pitch: 0 })).toBe(false);
    expect(inView(step('nod'), { yaw: 0, pitch: -9 }, { yaw: 0, pitch: 0 })).toBe(true);
    expect(inView(step('nod'), { yaw: 0, pitch: 9 }, { yaw: 0, pitch: 0 })).toBe(true);
    expect(inView(step('nod'), { yaw: 0, pitch: 7 }, { yaw: 0, pitch: 0 })).toBe(false);
  });
});

describe('findRepertoire', () => {
  it('finds every view of a cooperative video, each from its approach, then held', () => {
    const r = findRepertoire(COOPERATIVE);
    expect(r.couldEnroll).toBe(true);
    const { straight, left, right, nod } = r.views;
    // Straight: its frames from the start of the run, back and forth.
    expect(straight!.frames[0]).toBe(COOPERATIVE.samples[0]!.frame);
    expect(straight!.loop!.length).toBeGreaterThan(1);
    expect(left!.yaw).toBe(22);
    // The approach starts facing the camera, and the held frames show the turn.
    expect(left!.frames[0]).toBe(COOPERATIVE.samples[40]!.frame);
    expect(new Set(left!.loop)).toEqual(
      new Set(Array.from({ length: 13 }, (_, i) => COOPERATIVE.samples[42]!.frame + i)),
    );
    expect(right!.yaw).toBe(-20);
    expect(nod!.pitch).toBe(12);
    expect(playbackFor(r, 'left')).toBe(left);
  });

  it('finds a turn from the straight pose the app recorded, not only from the planned one', () => {
    const r = findRepertoire(COOPERATIVE);
    // Recorded at yaw 4 (the lead-in's edge): the left view needs yaw >= 16 + 2 of margin, which
    // the held turn (22) gives; the right view needs <= -8 - 2: -20 does.
    const left = playbackFor(r, 'left', { yaw: 4, pitch: 2 })!;
    expect(left.yaw).toBe(22);
    expect(playbackFor(r, 'right', { yaw: 4, pitch: 2 })!.yaw).toBe(-20);
    // Recorded at yaw -5: the turn counts from 9 (12 too), its peak is still 22.
    expect(playbackFor(r, 'left', { yaw: -5, pitch: 2 })!.yaw).toBe(22);
    // From a straight pose no frame can turn right from (-20 is not 12 + 2 past -9).
    expect(playbackFor(r, 'right', { yaw: -9, pitch: 2 })).toBe(r.views.right);
  });

  it('turns at the unlock when asked, and comes back the same way', () => {
    const r = findRepertoire(COOPERATIVE);
    const turn = r.challenges.left!;
    expect(turn.loop).toBeNull();
    // Out and back the same way, then a moment held where it came back to.
    const first = turn.frames[0]!;
    const last = turn.frames.findIndex((f, i) => i > 0 && f === first);
    const path = turn.frames.slice(0, last + 1);
    const n = path.length;
    expect(path.slice(0, (n + 1) / 2)).toEqual(path.slice((n - 1) / 2).reverse());
    expect(turn.frames.slice(last).every((f) => f === first)).toBe(true);
    expect(turn.frames.length - last).toBeGreaterThan(3);
    // Facing the camera at the unlock: the frontal footage without the lead-in.
    expect(r.facing!.frames).toEqual([]);
    expect(r.facing!.loop).toEqual(r.frontal!.loop);
    expect(r.challenges.right).not.toBeNull();
    expect(r.frontal!.yaw).toBe(1);
  });

  it('says what footage without turns cannot do', () => {
    const talking = findRepertoire(timeline([...hold(50, 2, 1), ...hold(10, -3, 1)]));
    expect(talking.couldEnroll).toBe(false);
    expect(talking.views.straight).not.toBeNull();
    expect(talking.views.left).toBeNull();
    expect(talking.challenges.left).toBeNull();
    expect(playbackFor(talking, 'challenge-right')).toBeNull();
    expect(playbackFor(talking, 'frontal')).not.toBeNull();
  });

  it('needs a straight view inside the app’s range: a face always turned a little never has one', () => {
    const offset = findRepertoire(
      timeline([...hold(30, -9, 0), ...hold(5, 8, 0), ...hold(5, -25, 0)]),
    );
    expect(offset.views.straight).toBeNull();
    expect(offset.couldEnroll).toBe(false);
  });
});

describe('aliveWindow', () => {
  it('starts the footage where a sign of life comes soonest, near frontal, to a second past it', () => {
    const t = timeline([...hold(30, 1, 2), ...hold(10, 25, 2)]);
    expect(aliveWindow(t)).toBeNull();
    // Soonest at sample 32, but turned away; at sample 10 (frame 30) it comes in 0.5 s.
    const after = t.samples.map((_, k) => (k === 32 ? 0.1 : k === 10 ? 0.5 : k === 20 ? 2 : null));
    const w = aliveWindow({ ...t, aliveAfter: after })!;
    expect(w[0]).toBe(10);
    // 0.5 s + 1 s at 30 fps from frame 30: frames up to 75, sample 25.
    expect(w[1]).toBe(25);
    const r = findRepertoire({ ...t, aliveAfter: after });
    expect(playbackFor(r, 'alive')!.frames[0]).toBe(30);
    expect(r.frontal!.frames[0]).toBe(30);
  });
});
