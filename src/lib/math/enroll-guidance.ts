/**
 * Guided enrollment's views and what the screen says while the user moves into each: one pure
 * function decides whether a frame shows the asked-for view, and words the quality reasons and
 * the pose hint together, so the prompt ("Turn your head to your left") and the message under it
 * never contradict each other.
 */
import type { HeadPose } from './head-pose';
import { qualityMessages, type QualityReason } from './quality';

/** Inclusive, degrees. */
export interface AngleRange {
  min: number;
  max: number;
}

export interface EnrollStep {
  id: 'straight' | 'left' | 'right' | 'up' | 'down';
  prompt: string;
  /** Degrees, head-pose.ts signs: yaw > 0 turned to the subject's left, pitch > 0 chin down. */
  yaw: AngleRange;
  pitch: AngleRange;
}

/**
 * The five views, in order. The turns start at 15° (12° for the chin, which moves less): a still
 * frontal photo reads within a few degrees of 0 and never gets there, and people turning
 * "slightly" reach 20-30°. They end at the quality gate's limits (DEFAULT_QUALITY: 35° yaw, 30°
 * pitch), so every view asked for passes the gate. The other angle must stay short of where the
 * neighbouring views begin (pitch within 10° on the turns, yaw within 12° on the chin views), so
 * no pose counts for two views: the five samples really differ.
 */
export const ENROLL_STEPS: readonly EnrollStep[] = [
  {
    id: 'straight',
    prompt: 'Look straight at the camera',
    yaw: { min: -10, max: 10 },
    pitch: { min: -10, max: 10 },
  },
  {
    id: 'left',
    prompt: 'Turn your head slightly to your left',
    yaw: { min: 15, max: 35 },
    pitch: { min: -10, max: 10 },
  },
  {
    id: 'right',
    prompt: 'Turn your head slightly to your right',
    yaw: { min: -35, max: -15 },
    pitch: { min: -10, max: 10 },
  },
  {
    id: 'up',
    prompt: 'Tilt your chin up a little',
    yaw: { min: -12, max: 12 },
    pitch: { min: -30, max: -12 },
  },
  {
    id: 'down',
    prompt: 'Tilt your chin down a little',
    yaw: { min: -12, max: 12 },
    pitch: { min: 12, max: 30 },
  },
];

function within(value: number, range: AngleRange): boolean {
  // NaN is never within.
  return value >= range.min && value <= range.max;
}

/** Does this pose show the step's view? */
export function poseInTarget(step: EnrollStep, pose: HeadPose | null): boolean {
  return pose !== null && within(pose.yaw, step.yaw) && within(pose.pitch, step.pitch);
}

type Axis = 'yaw' | 'pitch';

/** Words per axis: `up` moves the angle up (yaw: to your left; pitch: chin down). */
const WORDS = {
  yaw: {
    start: { up: 'Turn your head to your left.', down: 'Turn your head to your right.' },
    more: { up: 'Turn a little more to your left.', down: 'Turn a little more to your right.' },
    // Past the view: `up` means the angle must come up again (a right turn went too far).
    tooFar: { up: 'Too far: turn back a little.', down: 'Too far: turn back a little.' },
    centre: {
      up: 'Face the camera: turn a little to your left.',
      down: 'Face the camera: turn a little to your right.',
    },
  },
  pitch: {
    start: { up: 'Tilt your chin down.', down: 'Tilt your chin up.' },
    more: { up: 'Lower your chin a little more.', down: 'Raise your chin a little more.' },
    tooFar: {
      up: 'Too far: lower your chin a little.',
      down: 'Too far: raise your chin a little.',
    },
    centre: {
      up: 'Keep your chin level: lower it a little.',
      down: 'Keep your chin level: raise it a little.',
    },
  },
} as const;

/** What to say to bring one angle into its range, or null when it is in range. */
function axisHint(axis: Axis, value: number, range: AngleRange): string | null {
  if (within(value, range)) return null;
  const words = WORDS[axis];
  const dir = value < range.min ? 'up' : 'down';
  if (range.min > 0 || range.max < 0) {
    // A turn away from the centre is asked for.
    const target = range.min > 0 ? 'up' : 'down';
    if (dir === target) {
      const edge = target === 'up' ? range.min : range.max;
      return Math.abs(value - edge) > Math.abs(edge) / 2 ? words.start[dir] : words.more[dir];
    }
    return words.tooFar[dir];
  }
  return words.centre[dir];
}

/** The step's hint for this pose, main axis first; null when the pose shows the view. */
export function poseHint(step: EnrollStep, pose: HeadPose | null): string | null {
  if (pose === null) return null;
  if (!Number.isFinite(pose.yaw) || !Number.isFinite(pose.pitch)) {
    return 'Hold still: your head position could not be read.';
  }
  const axes: Axis[] = step.id === 'up' || step.id === 'down' ? ['pitch', 'yaw'] : ['yaw', 'pitch'];
  for (const axis of axes) {
    const hint = axisHint(axis, pose[axis], step[axis]);
    if (hint) return hint;
  }
  return null;
}

export interface EnrollGuidance {
  /** This frame shows the asked-for view and passes every quality check: take it. */
  ready: boolean;
  /** What the screen says under the prompt; never the gate's own "turned too far". */
  message: string;
}

export const HOLD_IT = 'Hold it…';

/**
 * The step-aware verdict for one frame. Quality problems other than the pose (no face, two
 * faces, too small, blur, light) are said as the gate words them; the gate's head_turned is
 * replaced by the step's own pose hint, which says which way to move; a lean (roll) is worded so
 * as not to clash with "tilt your chin".
 */
export function enrollmentGuidance(
  step: EnrollStep,
  quality: { reasons: readonly QualityReason[]; pose: HeadPose | null } | null,
): EnrollGuidance {
  if (quality === null) return { ready: false, message: '' };
  const hint = poseHint(step, quality.pose);
  const messages = qualityMessages(quality.reasons, {
    head_turned: null,
    head_tilted: 'Keep your head upright: do not lean it to one side.',
  });
  if (hint) messages.push(hint);
  const ready = quality.reasons.length === 0 && poseInTarget(step, quality.pose);
  if (ready) return { ready, message: HOLD_IT };
  // The gate may say head_turned only past the widest view, where the hint speaks instead.
  return { ready, message: messages.length > 0 ? messages.join(' ') : step.prompt };
}
