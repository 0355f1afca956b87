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

  it('measures the turns and the nod also from a later frame nearer facing the camera', () => {
    const flow = new EnrollmentFlow();
    let t = blink(flow, 0);
    // The straight sample taken in passing at (4.8, 3.3), as d3's was.
    expect(flow.offer(embedding(), pose(4.8, 3.3), (t += 500))).toBe(true);
    // A nod to 9.2° is 5.9° from the straight sample: short.
    expect(flow.offer(embedding(), pose(2, 9.2), (t += 500))).toBe(false);
    // Then the face rests nearer frontal (a frame that failed the gate does not count).
    flow.observe((t += 100), null, pose(0, 0));
    expect(flow.frontalPose).toBeNull();
    flow.observe((t += 100), liveFace(), pose(1, 1.5));
    flow.observe((t += 100), liveFace(), pose(3, 2));
    expect(flow.frontalPose).toMatchObject({ yaw: 1, pitch: 1.5 });
    // Left: 8.7° from the straight sample, 12.5° from the frontal frame.
    expect(flow.offer(embedding(), pose(13.5, 2), (t += 500))).toBe(true);
    // Right: -10.9 is 15.7° from the straight sample.
    expect(flow.offer(embedding(), pose(-10.9, 2), (t += 500))).toBe(true);
    // The nod to 9.2° is 7.7° from the frontal frame.
    expect(flow.offer(embedding(), pose(2, 9.2), (t += 500))).toBe(true);
    expect(flow.samples).toHaveLength(4);
  });
});
