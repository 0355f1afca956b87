import { afterEach, describe, expect, it } from 'vitest';
import { OPEN_DEADLINE_MS, VerificationFlow } from '../../../src/lib/state/verification.svelte';
import { DeadlineError, withDeadline } from '../../../src/lib/deadline';
import type { FrameAnalysis } from '../../../src/lib/vision/frame-analysis';
import type { Point3 } from '../../../src/lib/math/face-mesh';
import { LIVENESS_LIMIT_MS, type MeshPoints } from '../../../src/lib/decisions/liveness';
import { liveFace, photo } from '../decisions/synthetic-face';
import { IDENTITY_HOMOGRAPHY } from '../../../src/lib/math/homography';

const alice = { id: 'a', name: 'Alice', template: new Float32Array([1, 0, 0]) };
const match = new Float32Array([1, 0, 0]);

/** A usable frame whose mesh is these points (only the liveness points are set). */
function frame(points: MeshPoints): FrameAnalysis {
  const mesh: Point3[] = [];
  for (const [i, p] of Object.entries(points)) if (p) mesh[Number(i)] = p;
  return {
    faces: [{ score: 0.9, box: { x: 200, y: 150, width: 200, height: 200 }, keypoints: [] }],
    primary: null,
    mesh: { points: mesh, score: 0.9 },
    transform: null,
    // Not 112 px: the rejection hints' crop statistics are skipped.
    crop: { data: new Uint8ClampedArray(4), width: 1, height: 1 } as ImageData,
    quality: {
      ok: true,
      reasons: [],
      metrics: {},
      pose: null,
    } as unknown as FrameAnalysis['quality'],
    tracked: false,
    timings: { detectMs: 0, landmarkMs: 0, alignMs: 0 },
  };
}

let flow: VerificationFlow;
afterEach(() => flow.cancel());

/** A 1:1 attempt at Alice on a clock the test moves: `step()` is 100 ms on. */
function begin(): { step: () => void } {
  let now = 0;
  flow = new VerificationFlow();
  flow.start([alice], 0.5, alice, { now: () => now });
  return { step: () => (now += 100) };
}

function attempt(frames: MeshPoints[], probe = match): VerificationFlow {
  const clock = begin();
  for (const points of frames) {
    clock.step();
    flow.frame(frame(points));
    if (flow.status !== 'looking') break;
    flow.push(probe);
    flow.tick();
    if (flow.status !== 'looking') break;
  }
  return flow;
}

describe('VerificationFlow liveness', () => {
  it('a matching photo opens nothing: after the liveness limit it stops as not live', () => {
    const still = photo(liveFace(), IDENTITY_HOMOGRAPHY, 0.3);
    const f = attempt(Array.from({ length: 80 }, () => still));
    expect(f.status).toBe('timed_out');
    expect(f.stopReason).toBe('not_live');
    expect(f.stopMessage).toBeNull();
    expect(f.askForLife).toBe(true);
  });

  it('a face that never matched is "not recognised" when the liveness time runs out, not "not live"', () => {
    const still = photo(liveFace(), IDENTITY_HOMOGRAPHY, 0.3);
    // A slow device: one embedding every fourth frame, so FrameDecision has not yet seen the 20
    // frames it rejects after when the 6 s of liveness run out.
    const clock = begin();
    for (let i = 0; i < 70 && flow.status === 'looking'; i++) {
      clock.step();
      flow.frame(frame(still));
      if (i % 4 === 0) flow.push(new Float32Array([0, 1, 0]));
      flow.tick();
    }
    expect(flow.status).toBe('rejected');
    expect(flow.decisionMs).toBeGreaterThanOrEqual(6000);
  });

  it('a matching face that blinks is accepted, at the blink', () => {
    const eyes = [1, 1, 1, 1, 1, 0.55, 0.1, 0.6, 1, 1, 1];
    const f = attempt(eyes.map((e) => liveFace({ eyes: e })));
    expect(f.status).toBe('accepted');
    expect(f.result?.id).toBe('a');
    expect(f.live).toBe(true);
    // Matched at the third frame, opened as the eyes reopen (the eighth).
    expect(f.decisionMs).toBe(700);
  });

  it('liveness times the face by when each frame was taken, not when its analysis arrived', () => {
    // Frames taken 100 ms apart whose results reach the page 33 ms apart (a slow pass held them
    // back): the face drifts 5 px a frame, slow enough to read a blink in the time it took, three
    // times too fast on the page's clock.
    let now = 0;
    flow = new VerificationFlow();
    flow.start([alice], 0.5, alice, { now: () => now });
    const eyes = [1, 1, 1, 1, 0.55, 0.1, 0.6, 1, 1];
    eyes.forEach((e, i) => {
      now = (i + 1) * 33;
      flow.frame(frame(liveFace({ eyes: e, centre: [200 + 5 * i, 240] })), (i + 1) * 100);
    });
    expect(flow.live).toBe(true);
  });

  it('a match held while not live is forgotten when the face is lost: a swap cannot borrow it', () => {
    const frames: MeshPoints[] = [
      liveFace({ eyes: 1 }),
      liveFace({ eyes: 1 }),
      liveFace({ eyes: 1 }),
      liveFace({ eyes: 0.1 }),
    ];
    const clock = begin();
    for (const points of frames) {
      clock.step();
      flow.frame(frame(points));
      flow.push(match);
    }
    // The face goes for a second; it comes back with its eyes open: no blink spans the gap, and
    // the earlier match does not open the vault on its own.
    for (let i = 0; i < 10; i++) {
      clock.step();
      flow.frame({
        ...frame({}),
        mesh: null,
        faces: [],
        crop: null,
        quality: {
          ok: false,
          reasons: ['no_face'],
          metrics: {},
          pose: null,
        } as unknown as FrameAnalysis['quality'],
      });
    }
    // Back, and a blink: live now, but no frame of this stretch has matched yet, so nothing opens.
    for (const e of [1, 1, 0.55, 0.1, 0.6, 1, 1]) {
      clock.step();
      flow.frame(frame(liveFace({ eyes: e })));
    }
    expect(flow.live).toBe(true);
    expect(flow.status).toBe('looking');
    // The earlier match was forgotten with its stretch: a new run of matching frames opens it.
    flow.push(match);
    flow.push(match);
    expect(flow.status).toBe('looking');
    flow.push(match);
    expect(flow.status).toBe('accepted');
  });
});

describe('VerificationFlow requested head turn', () => {
  /** A usable frame of a live face at `yaw`, with the pose the front end would report. */
  const turned = (yaw: number, eyes = 1): FrameAnalysis => {
    const f = frame(liveFace({ yaw, eyes }));
    return {
      ...f,
      quality: { ...f.quality, pose: { yaw, pitch: 0, roll: 0, source: 'mesh' as const } },
    };
  };
  /** Still for 0.6 s, then out to `peak` and back over 1 s, then still; 25 fps. */
  const curve = (peak: number) =>
    Array.from({ length: 75 }, (_, i) => {
      const t = i * 40 - 600;
      return t < 0 || t > 1000 ? 0 : peak * Math.sin((Math.PI * t) / 1000);
    });

  function run(
    yaws: number[],
    options: { side: 'left' | 'right'; liveness?: 'turn' | 'passive-or-turn' },
    eyes: (i: number) => number = () => 1,
  ) {
    let now = 0;
    let pushed = 0;
    flow = new VerificationFlow();
    flow.start([alice], 0.5, alice, { now: () => now, ...options });
    for (const [i, yaw] of yaws.entries()) {
      now += 40;
      flow.frame(turned(yaw, eyes(i)));
      if (flow.status !== 'looking') break;
      if (!flow.turning) {
        pushed++;
        flow.push(match);
      }
      flow.tick();
      if (flow.status !== 'looking') break;
    }
    return { flow, pushed };
  }

  it('asks for a side, and a matching face that turns that way and back is accepted by the turn', () => {
    const { flow: f } = run(curve(35), { side: 'left' });
    expect(f.challenge).toBe('left');
    expect(f.status).toBe('accepted');
    expect(f.liveBy).toBe('turn');
  });

  it('the turned frames are not matched', () => {
    const { pushed } = run([...curve(35), ...new Array<number>(50).fill(0)], { side: 'left' });
    expect(pushed).toBeLessThan(75);
  });

  it('Strict: a blink does not open, and a turn the other way ends the attempt as not live', () => {
    const blink = run(new Array<number>(200).fill(0), { side: 'left', liveness: 'turn' }, (i) =>
      i === 30 ? 0.1 : i === 29 || i === 31 ? 0.55 : 1,
    );
    expect(blink.flow.status).toBe('timed_out');
    expect(blink.flow.stopReason).toBe('not_live');
    const wrong = run(curve(-35), { side: 'left', liveness: 'turn' });
    expect(wrong.flow.status).toBe('timed_out');
    expect(wrong.flow.stopReason).toBe('not_live');
    expect(wrong.flow.wrongWay).toBe(true);
  });

  it('a request shown late (frames unusable at first) still gets its time to be answered', () => {
    // 3.6 s of a face the quality gate refuses (a slow first start), then the request at ~3.9 s
    // and a turn that comes back at ~6.7 s: past the 6 s without life, within TURN_ANSWER_MS.
    let now = 0;
    flow = new VerificationFlow();
    flow.start([alice], 0.5, alice, { now: () => now, side: 'left' });
    const blurred = (): FrameAnalysis => {
      const f = turned(0);
      return { ...f, quality: { ...f.quality, ok: false, reasons: ['blurry'] } };
    };
    const frames = [
      ...Array.from({ length: 90 }, blurred),
      ...Array.from({ length: 30 }, () => turned(0)),
      ...curve(35).map((y) => turned(y)),
    ];
    for (const f of frames) {
      now += 40;
      flow.frame(f);
      if (flow.status === 'looking' && f.quality.ok && !flow.turning) flow.push(match);
      flow.tick();
      if (flow.status !== 'looking') break;
    }
    expect(now).toBeGreaterThan(LIVENESS_LIMIT_MS);
    expect(flow.status).toBe('accepted');
    expect(flow.liveBy).toBe('turn');
  });

  it('by default a turn the other way loses the turn, but a blink still shows life', () => {
    const { flow: f } = run(
      [...curve(-35), ...new Array<number>(40).fill(0)],
      { side: 'left' },
      (i) => (i === 90 ? 0.1 : i === 89 || i === 91 ? 0.55 : 1),
    );
    expect(f.wrongWay).toBe(true);
    expect(f.status).toBe('accepted');
    expect(f.liveBy).toBe('blink');
  });
});

describe('VerificationFlow deadlines', () => {
  it('states the attempt deadline: startup, the hard limit, and the time to open the vault', () => {
    begin();
    expect(flow.deadlineMs).toBe(15_000 + 20_000 + OPEN_DEADLINE_MS);
  });

  it('a frameless attempt ends by its deadline through the timer alone', () => {
    const clock = begin();
    while (flow.status === 'looking') {
      clock.step();
      flow.tick();
    }
    expect(flow.status).toBe('timed_out');
    expect(flow.stopReason).toBe('no_frames');
  });

  it('an accept whose vault does not open ends as stopped, with the words given, not a failure', () => {
    const eyes = [1, 1, 1, 1, 1, 0.55, 0.1, 0.6, 1, 1, 1];
    const f = attempt(eyes.map((e) => liveFace({ eyes: e })));
    expect(f.status).toBe('accepted');
    f.openFailed('The vault took too long to open on this device. Try again.');
    expect(f.status).toBe('timed_out');
    expect(f.stopReason).toBe('open_failed');
    expect(f.stopMessage).toContain('too long');
    // Only an accepted attempt can fail to open.
    f.openFailed('again');
    expect(f.stopMessage).toContain('too long');
  });
});

describe('withDeadline', () => {
  it('gives the work when it ends in time, DeadlineError when it does not', async () => {
    await expect(withDeadline(Promise.resolve(7), 50)).resolves.toBe(7);
    await expect(withDeadline(new Promise(() => undefined), 20)).rejects.toBeInstanceOf(
      DeadlineError,
    );
    await expect(withDeadline(Promise.reject(new Error('disk')), 50)).rejects.toThrow('disk');
  });
});

describe('VerificationFlow rejection hints', () => {
  /** A face with its eyes shut that matches nobody, until the attempt ends. */
  function rejectClosedEyes(target: typeof alice | null): VerificationFlow {
    let now = 0;
    flow = new VerificationFlow();
    flow.start([alice], 0.5, target, { now: () => now });
    for (let i = 0; i < 400 && flow.status === 'looking'; i++) {
      now += 100;
      flow.frame(frame(liveFace({ eyes: i % 10 === 0 ? 1 : 0.05 })));
      flow.push(new Float32Array([0, 1, 0]));
      flow.tick();
    }
    return flow;
  }

  it('advises the named person of a 1:1 attempt, and tells an identify attempt nothing', () => {
    const verify = rejectClosedEyes(alice);
    expect(verify.status).toBe('rejected');
    expect(verify.hints.length).toBeGreaterThan(0);
    expect(verify.rejectTarget).toBe('Alice');
    const identify = rejectClosedEyes(null);
    expect(identify.status).toBe('rejected');
    expect(identify.hints).toEqual([]);
    expect(identify.rejectTarget).toBeNull();
  });
});

describe('VerificationFlow embeddings that arrive late (the embedder worker)', () => {
  it('takes one of a frame of this attempt and of the face in view, not of one that left since', () => {
    let now = 1000;
    flow = new VerificationFlow();
    flow.start([alice], 0.5, alice, { now: () => now });
    // A frame from before the attempt started.
    expect(flow.takesLate(900)).toBe(false);
    // The face is seen from 1100 ms on.
    for (let t = 1100; t <= 1400; t += 100) {
      now = t;
      flow.frame(frame(liveFace()), t);
    }
    expect(flow.takesLate(1200)).toBe(true);
    // The face leaves: an embedding of it no longer counts.
    for (let t = 1500; t <= 2400; t += 100) {
      now = t;
      flow.frame({ ...frame(liveFace()), faces: [], mesh: null, crop: null }, t);
    }
    expect(flow.takesLate(1300)).toBe(false);
  });
});
