import { describe, expect, it } from 'vitest';
import { ALIGN_TEMPLATE_112, type Point } from '../../../src/lib/math/align';
import type { DetectedFace } from '../../../src/lib/math/face-select';
import {
  ENROLL_STEPS,
  HOLD_IT,
  enrollmentGuidance,
  poseHint,
  poseInTarget,
  type EnrollStep,
} from '../../../src/lib/math/enroll-guidance';
import type { HeadPose } from '../../../src/lib/math/head-pose';
import { DEFAULT_QUALITY, QUALITY_MESSAGES, assessQuality } from '../../../src/lib/math/quality';
import { syntheticMesh } from './synthetic-mesh';

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

describe('ENROLL_STEPS', () => {
  it('asks for five views in order, each inside the quality gate', () => {
    expect(ENROLL_STEPS.map((s) => s.id)).toEqual(['straight', 'left', 'right', 'up', 'down']);
    for (const s of ENROLL_STEPS) {
      expect(s.yaw.min).toBeGreaterThanOrEqual(-DEFAULT_QUALITY.maxAbsYawDeg);
      expect(s.yaw.max).toBeLessThanOrEqual(DEFAULT_QUALITY.maxAbsYawDeg);
      expect(s.pitch.min).toBeGreaterThanOrEqual(-DEFAULT_QUALITY.maxAbsPitchDeg);
      expect(s.pitch.max).toBeLessThanOrEqual(DEFAULT_QUALITY.maxAbsPitchDeg);
    }
  });

  it('never lets a frontal face stand for a turned view, and no two views overlap', () => {
    for (const s of ENROLL_STEPS) {
      expect(poseInTarget(s, pose(0, 0))).toBe(s.id === 'straight');
      expect(poseInTarget(s, pose(3, -4))).toBe(s.id === 'straight');
    }
    // Sample the pose space: no pose satisfies two steps.
    for (let yaw = -40; yaw <= 40; yaw += 1) {
      for (let pitch = -35; pitch <= 35; pitch += 1) {
        const hits = ENROLL_STEPS.filter((s) => poseInTarget(s, pose(yaw, pitch)));
        expect(hits.length).toBeLessThanOrEqual(1);
      }
    }
  });

  it('accepts the views with the documented signs', () => {
    expect(poseInTarget(step('left'), pose(25, 0))).toBe(true);
    expect(poseInTarget(step('left'), pose(-25, 0))).toBe(false);
    expect(poseInTarget(step('right'), pose(-25, 0))).toBe(true);
    expect(poseInTarget(step('up'), pose(0, -20))).toBe(true);
    expect(poseInTarget(step('up'), pose(0, 20))).toBe(false);
    expect(poseInTarget(step('down'), pose(0, 20))).toBe(true);
    // Off-axis: a left turn with the chin far up is not the left view.
    expect(poseInTarget(step('left'), pose(25, -20))).toBe(false);
    expect(poseInTarget(step('up'), pose(14, -20))).toBe(false);
    expect(poseInTarget(step('left'), pose(NaN, 0))).toBe(false);
    expect(poseInTarget(step('left'), null)).toBe(false);
  });
});

describe('poseHint', () => {
  it('says which way to move, and when it went too far', () => {
    expect(poseHint(step('left'), pose(0, 0))).toBe('Turn your head to your left.');
    expect(poseHint(step('left'), pose(-20, 0))).toBe('Turn your head to your left.');
    expect(poseHint(step('left'), pose(10, 0))).toBe('Turn a little more to your left.');
    expect(poseHint(step('left'), pose(25, 0))).toBeNull();
    expect(poseHint(step('left'), pose(45, 0))).toBe('Too far: turn back a little.');
    expect(poseHint(step('right'), pose(0, 0))).toBe('Turn your head to your right.');
    expect(poseHint(step('right'), pose(-10, 0))).toBe('Turn a little more to your right.');
    expect(poseHint(step('right'), pose(-45, 0))).toBe('Too far: turn back a little.');
    expect(poseHint(step('up'), pose(0, 0))).toBe('Tilt your chin up.');
    expect(poseHint(step('up'), pose(0, -8))).toBe('Raise your chin a little more.');
    expect(poseHint(step('up'), pose(0, -40))).toBe('Too far: lower your chin a little.');
    expect(poseHint(step('down'), pose(0, 0))).toBe('Tilt your chin down.');
    expect(poseHint(step('down'), pose(0, 8))).toBe('Lower your chin a little more.');
    expect(poseHint(step('down'), pose(0, 40))).toBe('Too far: raise your chin a little.');
    expect(poseHint(step('straight'), pose(-20, 0))).toBe(
      'Face the camera: turn a little to your left.',
    );
    expect(poseHint(step('straight'), pose(20, 0))).toBe(
      'Face the camera: turn a little to your right.',
    );
    expect(poseHint(step('straight'), pose(0, -20))).toBe(
      'Keep your chin level: lower it a little.',
    );
    // The main axis first, then the other one.
    expect(poseHint(step('left'), pose(25, 25))).toBe('Keep your chin level: raise it a little.');
    expect(poseHint(step('up'), pose(25, -20))).toBe(
      'Face the camera: turn a little to your right.',
    );
  });

  it('is safe with NaN and silent without a pose', () => {
    expect(poseHint(step('left'), pose(NaN, 0))).toMatch(/could not be read/);
    expect(poseHint(step('left'), null)).toBeNull();
  });
});

describe('enrollmentGuidance', () => {
  it('is ready only when the gate passes and the view is shown', () => {
    expect(enrollmentGuidance(step('straight'), frame(0, 0))).toEqual({
      ready: true,
      message: HOLD_IT,
    });
    expect(enrollmentGuidance(step('left'), frame(0, 0))).toEqual({
      ready: false,
      message: 'Turn your head to your left.',
    });
    expect(enrollmentGuidance(step('left'), frame(25, 0)).ready).toBe(true);
    expect(enrollmentGuidance(step('right'), frame(-25, 0)).ready).toBe(true);
    expect(enrollmentGuidance(step('up'), frame(0, -20)).ready).toBe(true);
    expect(enrollmentGuidance(step('down'), frame(0, 20)).ready).toBe(true);
  });

  it('never says "turned too far, face the camera" beside a turn prompt: the hint speaks', () => {
    for (let yaw = -60; yaw <= 60; yaw += 5) {
      for (let pitch = -45; pitch <= 45; pitch += 5) {
        const quality = frame(yaw, pitch, 0, null);
        for (const s of ENROLL_STEPS) {
          const guidance = enrollmentGuidance(s, quality);
          expect(guidance.message).not.toContain(QUALITY_MESSAGES.head_turned);
          expect(guidance.message).not.toContain('Face the camera.');
          // Whatever the gate lets through in the view is taken; nothing outside it is.
          expect(guidance.ready).toBe(quality.ok && poseInTarget(s, quality.pose));
          if (poseInTarget(s, quality.pose)) expect(quality.ok).toBe(true);
          expect(guidance.message.length).toBeGreaterThan(0);
        }
      }
    }
    const tooFar = enrollmentGuidance(step('left'), frame(45, 0));
    expect(tooFar.message).toBe('Too far: turn back a little.');
  });

  it('still says the other quality problems, with the pose hint after them', () => {
    const dark = assessQuality({
      faces: [face],
      crop: { gray: new Float32Array(112 * 112).fill(10), width: 112, height: 112 },
      mesh: { points: syntheticMesh(0, 0, 0), score: 0.9 },
    });
    const guidance = enrollmentGuidance(step('left'), dark);
    expect(guidance.ready).toBe(false);
    expect(guidance.message).toBe(
      `${QUALITY_MESSAGES.blurry} ${QUALITY_MESSAGES.too_dark} Turn your head to your left.`,
    );
    const none = enrollmentGuidance(step('left'), assessQuality({ faces: [], crop: null }));
    expect(none).toEqual({ ready: false, message: QUALITY_MESSAGES.no_face });
    const twoFaces = enrollmentGuidance(step('straight'), {
      reasons: ['multiple_faces'],
      pose: pose(0, 0),
    });
    expect(twoFaces).toEqual({ ready: false, message: QUALITY_MESSAGES.multiple_faces });
  });

  it('words a lean so that it does not clash with "tilt your chin"', () => {
    const guidance = enrollmentGuidance(step('up'), frame(0, -20, 30));
    expect(guidance.ready).toBe(false);
    expect(guidance.message).toBe('Keep your head upright: do not lean it to one side.');
  });

  it('says nothing before the first frame', () => {
    expect(enrollmentGuidance(step('left'), null)).toEqual({ ready: false, message: '' });
  });
});
