import { describe, expect, it } from 'vitest';
import { ALIGN_TEMPLATE_112, type Point } from '../../../src/lib/math/align';
import type { DetectedFace } from '../../../src/lib/math/face-select';
import {
  ENROLL_STEPS,
  STRAIGHT_MAX_DEG,
  enrollmentGuidance,
  poseHint,
  poseInTarget,
  type EnrollStep,
} from '../../../src/lib/decisions/enroll-guidance';
import type { HeadPose } from '../../../src/lib/math/head-pose';
import { DEFAULT_QUALITY, assessQuality } from '../../../src/lib/math/quality';
import { EITHER_WAY_MORE, HOLD_IT, guidanceText, poseHintText } from '../../../src/ui/text/enroll';
import { QUALITY_MESSAGES } from '../../../src/ui/text/quality';
import { syntheticMesh } from '../math/synthetic-mesh';

/** The pose hint as the screen words it (ui/text/enroll.ts), or null. */
function hintText(...args: Parameters<typeof poseHint>): string | null {
  const hint = poseHint(...args);
  return hint && poseHintText(hint);
}

/** The guidance as the screen shows it: ready, and the line under the prompt. */
function guide(...args: Parameters<typeof enrollmentGuidance>) {
  const guidance = enrollmentGuidance(...args);
  return { ready: guidance.ready, message: guidanceText(args[0], guidance) };
}

const pose = (yaw: number, pitch: number, roll = 0): HeadPose => ({
  yaw,
  pitch,
  roll,
  source: 'mesh',
});

function step(id: EnrollStep['id']): EnrollStep {
  const found = ENROLL_STEPS.find((s) => s.id === id);
  if (!found) throw new Error(id);
  return found;
}

const face: DetectedFace = {
  box: { x: 150, y: 50, width: 200, height: 200 },
  score: 0.9,
  keypoints: ALIGN_TEMPLATE_112.map(([x, y]): Point => [150 + 3 * x, 50 + 3 * y]),
};

const sharpCrop = (() => {
  const size = 112;
  const gray = new Float32Array(size * size);
  for (let i = 0; i < gray.length; i++) gray[i] = 128 + ((i + Math.floor(i / size)) % 2 ? 20 : -20);
  return { gray, width: size, height: size };
})();

/** The gate's verdict on a frame whose mesh shows this pose. */
function frame(yaw: number, pitch: number, roll = 0, crop: typeof sharpCrop | null = sharpCrop) {
  return assessQuality({
    faces: [face],
    crop,
    mesh: { points: syntheticMesh(yaw, pitch, roll), score: 0.9 },
  });
}

/** The straight sample's pose of most tests: a camera a little above the eyes. */
const STRAIGHT = pose(-2, 5);

describe('ENROLL_STEPS', () => {
  it('asks for four views in order: straight (absolute), then left, right and a nod from it', () => {
    expect(ENROLL_STEPS.map((s) => s.id)).toEqual(['straight', 'left', 'right', 'nod']);
    expect(ENROLL_STEPS.map((s) => s.reference)).toEqual([
      'absolute',
      'straight',
      'straight',
      'straight',
    ]);
    const straight = step('straight');
    expect(straight.yaw.max).toBeLessThanOrEqual(DEFAULT_QUALITY.maxAbsYawDeg);
    expect(straight.pitch.max).toBeLessThanOrEqual(DEFAULT_QUALITY.maxAbsPitchDeg);
  });

  it('takes the straight view only near frontal, so a turn asks no more than 12° + 5° from facing the camera', () => {
    expect(STRAIGHT_MAX_DEG).toBe(5);
    for (const id of ['left', 'right'] as const) {
      const sign = id === 'left' ? 1 : -1;
      // The worst straight sample the view allows, on the far side from the turn.
      const worst = pose(-sign * STRAIGHT_MAX_DEG, 0);
      expect(poseInTarget(step('straight'), worst)).toBe(true);
      expect(poseInTarget(step(id), pose(sign * 7, 0), worst)).toBe(true);
      expect(poseInTarget(step(id), pose(sign * 6.9, 0), worst)).toBe(false);
    }
  });

  it('measures the turns and the nod from the straight pose', () => {
    // Straight: within 5° of facing the camera on both axes.
    expect(poseInTarget(step('straight'), pose(-5, 5))).toBe(true);
    expect(poseInTarget(step('straight'), pose(4.9, -4.9))).toBe(true);
    expect(poseInTarget(step('straight'), pose(-5.1, 0))).toBe(false);
    expect(poseInTarget(step('straight'), pose(0, 5.1))).toBe(false);
    expect(poseInTarget(step('straight'), pose(-8, 11))).toBe(false);
    // Left: Δyaw in [12, 40] with |Δpitch| <= 15.
    expect(poseInTarget(step('left'), pose(10, 5), STRAIGHT)).toBe(true);
    expect(poseInTarget(step('left'), pose(9, 5), STRAIGHT)).toBe(false);
    expect(poseInTarget(step('left'), pose(10, 5), pose(0, 5))).toBe(false);
    expect(poseInTarget(step('left'), pose(20, 20), STRAIGHT)).toBe(true);
    expect(poseInTarget(step('left'), pose(20, 21), STRAIGHT)).toBe(false);
    expect(poseInTarget(step('left'), pose(20, -10), STRAIGHT)).toBe(true);
    expect(poseInTarget(step('left'), pose(20, -11), STRAIGHT)).toBe(false);
    expect(poseInTarget(step('left'), pose(-25, 5), STRAIGHT)).toBe(false);
    // Right: Δyaw in [-40, -12].
    expect(poseInTarget(step('right'), pose(-14, 5), STRAIGHT)).toBe(true);
    expect(poseInTarget(step('right'), pose(-13, 5), STRAIGHT)).toBe(false);
    expect(poseInTarget(step('right'), pose(25, 5), STRAIGHT)).toBe(false);
    // Nod: |Δpitch| in [6, 30] either way, |Δyaw| <= 10.
    expect(poseInTarget(step('nod'), pose(-2, 11), STRAIGHT)).toBe(true);
    expect(poseInTarget(step('nod'), pose(-2, -1), STRAIGHT)).toBe(true);
    expect(poseInTarget(step('nod'), pose(-2, 10), STRAIGHT)).toBe(false);
    expect(poseInTarget(step('nod'), pose(-2, 0), STRAIGHT)).toBe(false);
    expect(poseInTarget(step('nod'), pose(9, 12), STRAIGHT)).toBe(false);
  });

  it('never judges a relative view without a straight pose, nor a missing or NaN pose', () => {
    for (const id of ['left', 'right', 'nod'] as const) {
      expect(poseInTarget(step(id), pose(20, 20))).toBe(false);
      expect(poseInTarget(step(id), pose(-20, -20))).toBe(false);
    }
    expect(poseInTarget(step('left'), pose(NaN, 5), STRAIGHT)).toBe(false);
    expect(poseInTarget(step('left'), null, STRAIGHT)).toBe(false);
    expect(poseInTarget(step('straight'), pose(0, NaN))).toBe(false);
  });

  it('keeps every view inside the quality gate: the targets are cut at its absolute limits', () => {
    // Straight at yaw +8: Δyaw 30 would be 38°, past the gate's 35°.
    const turned = pose(8, 0);
    expect(poseInTarget(step('left'), pose(35, 0), turned)).toBe(true);
    expect(poseInTarget(step('left'), pose(36, 0), turned)).toBe(false);
    expect(poseInTarget(step('right'), pose(-32, 0), turned)).toBe(true);
    const chinDown = pose(0, 12);
    expect(poseInTarget(step('nod'), pose(0, 30), chinDown)).toBe(true);
    expect(poseInTarget(step('nod'), pose(0, 31), chinDown)).toBe(false);
    expect(poseInTarget(step('nod'), pose(0, -18), chinDown)).toBe(true);
    for (const straight of [pose(-10, -12), pose(10, 12), pose(0, 0), pose(7, -9)]) {
      for (let yaw = -60; yaw <= 60; yaw += 1) {
        for (let pitch = -45; pitch <= 45; pitch += 1) {
          for (const s of ENROLL_STEPS) {
            if (!poseInTarget(s, pose(yaw, pitch), straight)) continue;
            expect(Math.abs(yaw)).toBeLessThanOrEqual(DEFAULT_QUALITY.maxAbsYawDeg);
            expect(Math.abs(pitch)).toBeLessThanOrEqual(DEFAULT_QUALITY.maxAbsPitchDeg);
          }
        }
      }
    }
  });

  it('never lets the straight pose (or a still photo near it) stand for another view, and no two relative views overlap', () => {
    for (const straight of [pose(0, 0), pose(-8, 10), pose(9, -11)]) {
      for (const s of ENROLL_STEPS.slice(1)) {
        // Pose noise of a still photo: ±2° about the straight pose.
        for (const [dy, dp] of [
          [0, 0],
          [2, 2],
          [-2, 2],
          [2, -2],
          [-2, -2],
        ] as const) {
          const still = pose(straight.yaw + dy, straight.pitch + dp);
          expect(poseInTarget(s, still, straight)).toBe(false);
        }
      }
      for (let yaw = -60; yaw <= 60; yaw += 1) {
        for (let pitch = -45; pitch <= 45; pitch += 1) {
          const hits = ENROLL_STEPS.slice(1).filter((s) =>
            poseInTarget(s, pose(yaw, pitch), straight),
          );
          expect(hits.length).toBeLessThanOrEqual(1);
        }
      }
    }
  });
});

describe('poseHint', () => {
  it('says which way to move from the straight pose, and when it went too far', () => {
    const at = (yaw: number, pitch: number) => pose(STRAIGHT.yaw + yaw, STRAIGHT.pitch + pitch);
    expect(hintText(step('left'), at(0, 0), STRAIGHT)).toBe('Turn your head to your left.');
    expect(hintText(step('left'), at(-20, 0), STRAIGHT)).toBe('Turn your head to your left.');
    expect(hintText(step('left'), at(8, 0), STRAIGHT)).toBe('Turn a little more to your left.');
    expect(hintText(step('left'), at(20, 0), STRAIGHT)).toBeNull();
    // The gate's 35° comes before Δ 40: "too far" from there.
    expect(hintText(step('left'), at(38, 0), STRAIGHT)).toBe('Too far: turn back a little.');
    expect(hintText(step('right'), at(0, 0), STRAIGHT)).toBe('Turn your head to your right.');
    expect(hintText(step('right'), at(-8, 0), STRAIGHT)).toBe('Turn a little more to your right.');
    expect(hintText(step('right'), at(-35, 0), STRAIGHT)).toBe('Too far: turn back a little.');
    expect(hintText(step('nod'), at(0, 0), STRAIGHT)).toBe(EITHER_WAY_MORE);
    expect(hintText(step('nod'), at(0, 4), STRAIGHT)).toBe(EITHER_WAY_MORE);
    expect(hintText(step('nod'), at(0, -4), STRAIGHT)).toBe(EITHER_WAY_MORE);
    expect(hintText(step('nod'), at(0, 8), STRAIGHT)).toBeNull();
    expect(hintText(step('nod'), at(0, -8), STRAIGHT)).toBeNull();
    // Straight at pitch 5: chin down to 30 is Δ 25, the gate's limit.
    expect(hintText(step('nod'), at(0, 27), STRAIGHT)).toBe('Too far: raise your chin a little.');
    expect(hintText(step('nod'), at(0, -33), STRAIGHT)).toBe('Too far: lower your chin a little.');
    expect(hintText(step('straight'), pose(-20, 0))).toBe(
      'Face the camera: turn a little to your left.',
    );
    expect(hintText(step('straight'), pose(20, 0))).toBe(
      'Face the camera: turn a little to your right.',
    );
    expect(hintText(step('straight'), pose(0, -20))).toBe(
      'Keep your chin level: lower it a little.',
    );
    // The main axis first, then the other one.
    expect(hintText(step('left'), at(20, 21), STRAIGHT)).toBe(
      'Keep your chin level: raise it a little.',
    );
    expect(hintText(step('nod'), at(15, 10), STRAIGHT)).toBe(
      'Face the camera: turn a little to your right.',
    );
  });

  it('is safe with NaN and silent without a pose', () => {
    expect(hintText(step('left'), pose(NaN, 0), STRAIGHT)).toMatch(/could not be read/);
    expect(hintText(step('left'), null, STRAIGHT)).toBeNull();
  });
});

describe('enrollmentGuidance', () => {
  it('is ready only when the gate passes and the view is shown', () => {
    expect(guide(step('straight'), frame(0, 0))).toEqual({
      ready: true,
      message: HOLD_IT,
    });
    const straight = frame(0, 0).pose;
    expect(guide(step('left'), frame(0, 0), straight)).toEqual({
      ready: false,
      message: 'Turn your head to your left.',
    });
    expect(guide(step('left'), frame(25, 0), straight).ready).toBe(true);
    expect(guide(step('right'), frame(-25, 0), straight).ready).toBe(true);
    expect(guide(step('nod'), frame(0, -12), straight).ready).toBe(true);
    expect(guide(step('nod'), frame(0, 12), straight).ready).toBe(true);
    expect(guide(step('nod'), frame(0, 2), straight)).toEqual({
      ready: false,
      message: EITHER_WAY_MORE,
    });
    // Without the straight pose a relative view is never ready.
    expect(guide(step('left'), frame(25, 0)).ready).toBe(false);
  });

  it('never says "turned too far, face the camera" beside a turn prompt: the hint speaks', () => {
    for (const straight of [pose(0, 0), pose(8, 10), pose(-9, -11)]) {
      for (let yaw = -60; yaw <= 60; yaw += 5) {
        for (let pitch = -45; pitch <= 45; pitch += 5) {
          const quality = frame(yaw, pitch, 0, null);
          for (const s of ENROLL_STEPS) {
            const guidance = guide(s, quality, straight);
            expect(guidance.message).not.toContain(QUALITY_MESSAGES.head_turned);
            expect(guidance.message).not.toContain('Face the camera.');
            // Whatever the gate lets through in the view is taken; nothing outside it is.
            const shown = poseInTarget(s, quality.pose, straight);
            expect(guidance.ready).toBe(quality.ok && shown);
            if (shown) expect(quality.ok).toBe(true);
            // Past the gate's limits the pose hint always speaks: no view lies out there.
            if (quality.reasons.includes('head_turned')) {
              expect(hintText(s, quality.pose, straight)).not.toBeNull();
            }
            expect(guidance.message.length).toBeGreaterThan(0);
          }
        }
      }
    }
    const tooFar = guide(step('left'), frame(45, 0), pose(0, 0));
    expect(tooFar.message).toBe('Too far: turn back a little.');
  });

  it('still says the other quality problems, with the pose hint after them', () => {
    const dark = assessQuality({
      faces: [face],
      crop: { gray: new Float32Array(112 * 112).fill(10), width: 112, height: 112 },
      mesh: { points: syntheticMesh(0, 0, 0), score: 0.9 },
    });
    const guidance = guide(step('left'), dark, pose(0, 0));
    expect(guidance.ready).toBe(false);
    expect(guidance.message).toBe(
      `${QUALITY_MESSAGES.too_dark} ${QUALITY_MESSAGES.blurry} Turn your head to your left.`,
    );
    const none = guide(step('left'), assessQuality({ faces: [], crop: null }));
    expect(none).toEqual({ ready: false, message: QUALITY_MESSAGES.no_face });
    const twoFaces = guide(step('straight'), {
      reasons: ['multiple_faces'],
      pose: pose(0, 0),
    });
    expect(twoFaces).toEqual({ ready: false, message: QUALITY_MESSAGES.multiple_faces });
  });

  it('words a lean so that it does not clash with "tilt your chin"', () => {
    const guidance = guide(step('nod'), frame(0, -12, 30), pose(0, 0));
    expect(guidance.ready).toBe(false);
    expect(guidance.message).toBe('Keep your head upright: do not lean it to one side.');
  });

  it("gives codes: the gate's head_turned is left to the pose hint, which says which way", () => {
    const tooFar = enrollmentGuidance(step('left'), frame(45, 0), pose(0, 0));
    expect(tooFar.say).toBe('fix');
    expect(tooFar.reasons).not.toContain('head_turned');
    expect(tooFar.hint).toEqual({ kind: 'too_far', axis: 'yaw', dir: 'down' });
    expect(enrollmentGuidance(step('straight'), frame(0, 0)).say).toBe('hold');
    expect(enrollmentGuidance(step('left'), null).say).toBe('nothing');
  });

  it('says nothing before the first frame', () => {
    expect(guide(step('left'), null)).toEqual({ ready: false, message: '' });
  });
});
