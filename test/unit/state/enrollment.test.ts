import { describe, expect, it } from 'vitest';
import { EnrollmentFlow } from '../../../src/lib/state/enrollment.svelte';
import type { HeadPose } from '../../../src/lib/math/head-pose';
import { liveFace } from '../decisions/synthetic-face';

const pose = (yaw: number, pitch: number): HeadPose => ({ yaw, pitch, roll: 0, source: 'mesh' });
const embedding = () => new Float32Array(8).fill(0.5);

/** A blink at 100 ms a frame (liveness.test.ts: live at 600 ms). */
function blink(flow: EnrollmentFlow, from: number): number {
  const eyes = [1, 1, 1, 1, 0.6, 0.1, 0.5, 1, 1, 1];
  eyes.forEach((e, i) => flow.observe(from + 100 * i, liveFace({ eyes: e })));
  return from + 100 * eyes.length;
}

describe('EnrollmentFlow', () => {
  it('takes no view before a sign of life', () => {
    const flow = new EnrollmentFlow();
    for (let t = 0; t < 3000; t += 100) flow.observe(t, liveFace());
    expect(flow.live).toBe(false);
    expect(flow.offer(embedding(), pose(0, 0), 3000)).toBe(false);
  });

  it('lets a live face shown once cover the whole enrollment: a face lost or jumping after it asks no new sign', () => {
    const flow = new EnrollmentFlow();
    let t = blink(flow, 0);
    expect(flow.live).toBe(true);
    expect(flow.offer(embedding(), pose(1, 2), t)).toBe(true);
    // The face is lost for a second while it turns, then jumps across the picture.
    for (let k = 0; k < 10; k++) flow.observe((t += 100), null);
    flow.observe((t += 100), liveFace({ centre: [100, 100] }));
    flow.observe((t += 100), liveFace({ centre: [500, 400] }));
    expect(flow.live).toBe(true);
    expect(flow.unliveMs).toBe(0);
    expect(flow.offer(embedding(), pose(16, 2), (t += 500))).toBe(true);
    expect(flow.offer(embedding(), pose(-14, 2), (t += 500))).toBe(true);
    expect(flow.offer(embedding(), pose(1, 10), (t += 500))).toBe(true);
    expect(flow.samples).toHaveLength(4);
  });

  it('asks again after starting over', () => {
    const flow = new EnrollmentFlow();
    const t = blink(flow, 0);
    expect(flow.live).toBe(true);
    flow.restart();
    expect(flow.live).toBe(false);
    flow.observe(t + 100, liveFace());
    expect(flow.live).toBe(false);
    expect(flow.offer(embedding(), pose(0, 0), t + 1000)).toBe(false);
  });

  it('takes the straight view only near frontal, and the turns from it', () => {
    const flow = new EnrollmentFlow();
    let t = blink(flow, 0);
    expect(flow.offer(embedding(), pose(-8, 0), (t += 500))).toBe(false);
    expect(flow.offer(embedding(), pose(-4, 3), (t += 500))).toBe(true);
    // Left from yaw -4: 8° or more.
    expect(flow.offer(embedding(), pose(7, 3), (t += 500))).toBe(false);
    expect(flow.offer(embedding(), pose(8.5, 3), (t += 500))).toBe(true);
  });
});
