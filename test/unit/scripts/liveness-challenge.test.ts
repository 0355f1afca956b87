import { describe, expect, it } from 'vitest';
import { CHALLENGE_RULES } from '../../../src/lib/decisions/head-turn-challenge';
import {
  answerStretches,
  challengeAttack,
  challengeGenuine,
} from '../../../scripts/lib/liveness-challenge';
import type { MeshFrame } from '../../../scripts/lib/liveness-set';
import { liveFace } from '../decisions/synthetic-face';

const FPS = 15;

/** A recorded face at these yaws, one frame every 1/FPS s. */
function footage(yaws: number[]): MeshFrame[] {
  return yaws.map((yaw, i) => ({
    t: i / FPS,
    points: liveFace({ yaw }),
    meshScore: 1,
    faces: 1,
    quality: [],
    pose: { yaw, pitch: 0, roll: 0 },
  }));
}

/** Still for `still` frames, then a turn to `peak` and back over 15 frames. */
const turnAt = (still: number, peak: number, after = 30) => [
  ...new Array<number>(still).fill(0),
  ...Array.from({ length: 15 }, (_, i) => peak * Math.sin((Math.PI * i) / 14)),
  ...new Array<number>(after).fill(0),
];

describe('the eval challenge on recorded footage', () => {
  it('finds the stretches that turn each way and back', () => {
    const frames = footage(turnAt(10, 25));
    expect(answerStretches(frames, 'left').length).toBeGreaterThan(0);
    expect(answerStretches(frames, 'right')).toEqual([]);
  });

  it('a genuine window answers the asked side with its own turn, after a reaction time', () => {
    const frames = footage([...turnAt(60, 35), ...turnAt(10, -35)]);
    for (const side of ['left', 'right'] as const) {
      const r = challengeGenuine(frames, 0, side, CHALLENGE_RULES, answerStretches(frames, side));
      expect(r.live, side).toBe(true);
      expect(r.cue).toBe('turn');
      // Asked at 0.3 s, reacted 0.5 s later, and the turn takes about a second.
      expect(r.liveMs!).toBeGreaterThan(800);
      expect(r.liveMs!).toBeLessThan(2500);
    }
  });

  it('footage with no turn that way cannot answer, and is counted so, not refused', () => {
    const frames = footage(turnAt(20, 25));
    const r = challengeGenuine(
      frames,
      0,
      'right',
      CHALLENGE_RULES,
      answerStretches(frames, 'right'),
    );
    expect(r.live).toBe(false);
    expect(r.cannotAnswer).toBe(true);
  });

  it('an attack plays on as it is: its turn counts only if it is the asked side, at the right time', () => {
    const frames = footage(turnAt(20, 35));
    expect(challengeAttack(frames, 'right', CHALLENGE_RULES, 6000, 'turn').live).toBe(false);
    expect(challengeAttack(frames, 'left', CHALLENGE_RULES, 6000, 'turn').live).toBe(true);
  });
});
