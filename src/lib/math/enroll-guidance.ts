/**
 * Guided enrollment's views and what the screen says while the user moves into each: one pure
 * function decides whether a frame shows the asked-for view, and words the quality reasons and
 * the pose hint together, so the prompt ("Turn your head to your left") and the message under it
 * never contradict each other.
 */
import type { HeadPose } from './head-pose';
import { DEFAULT_QUALITY, qualityMessages, type QualityReason } from './quality';

/** Inclusive, degrees. */
export interface AngleRange {
  min: number;
  max: number;
}

type Axis = 'yaw' | 'pitch';

export interface EnrollStep {
  id: 'straight' | 'left' | 'right' | 'nod';
  prompt: string;
  /**
   * What the ranges are measured from: 'absolute' the pose itself; 'straight' the pose minus the
   * pose recorded for the straight sample (Δ = pose - straightPose).
   */
  reference: 'absolute' | 'straight';
  /** Degrees, head-pose.ts signs: yaw > 0 turned to the subject's left, pitch > 0 chin down. */
  yaw: AngleRange;
  pitch: AngleRange;
  /** This axis's range holds for |angle|: either way counts (a nod up or down). */
  eitherWay?: Axis;
}

/**
 * The four views, in order. The straight view is absolute; the others are measured from the pose
 * of the straight sample, because each person's neutral pose is offset by where the camera sits
 * (a camera below the screen reads every face as chin-up by several degrees), and real people
 * move their chin only a little: measured on real videos, heads turn ±15-28° while the pitch
 * moves a few degrees. The turns start at 12° from straight and the nod at 6° either way: a
 * still photo (pose noise ~±2°) never gets there. The other angle must stay near the straight
 * pose (pitch within 10° on the turns, yaw within 10° on the nod), so no pose counts for two of
 * the relative views. The quality gate's absolute limits (DEFAULT_QUALITY: 35° yaw, 30° pitch)
 * still hold: a target is cut where the gate would refuse the frame, and the hint says "too far"
 * there.
 */
export const ENROLL_STEPS: readonly EnrollStep[] = [
  {
    id: 'straight',
    prompt: 'Look straight at the camera',
    reference: 'absolute',
    yaw: { min: -10, max: 10 },
    pitch: { min: -12, max: 12 },
  },
  {
    id: 'left',
    prompt: 'Turn your head slightly to your left',
    reference: 'straight',
    yaw: { min: 12, max: 40 },
    pitch: { min: -10, max: 10 },
  },
  {
    id: 'right',
    prompt: 'Turn your head slightly to your right',
    reference: 'straight',
    yaw: { min: -40, max: -12 },
    pitch: { min: -10, max: 10 },
  },
  {
    id: 'nod',
    prompt: 'Tilt your chin up or down a little',
    reference: 'straight',
    yaw: { min: -10, max: 10 },
    pitch: { min: 6, max: 30 },
    eitherWay: 'pitch',
  },
];

/** The gate's absolute pose limits, which every view stays inside. */
const LIMITS: Record<Axis, number> = {
  yaw: DEFAULT_QUALITY.maxAbsYawDeg,
  pitch: DEFAULT_QUALITY.maxAbsPitchDeg,
};

function within(value: number, range: AngleRange): boolean {
  // NaN is never within.
  return value >= range.min && value <= range.max;
}

/**
 * The step's target on one axis for this straight pose, as ranges of Δ (the pose minus the
 * reference), cut to the gate's absolute limits. An either-way axis gives the positive side and
 * the negative side; a side the gate leaves nothing of is dropped.
 */
function targetRanges(step: EnrollStep, axis: Axis, reference: number): AngleRange[] {
  const gate = { min: -LIMITS[axis] - reference, max: LIMITS[axis] - reference };
  const cut = (r: AngleRange): AngleRange[] => {
    const min = Math.max(r.min, gate.min);
    const max = Math.min(r.max, gate.max);
    return min <= max ? [{ min, max }] : [];
  };
  const range = step[axis];
  if (step.eitherWay === axis) {
    return [...cut(range), ...cut({ min: -range.max, max: -range.min })];
  }
  return cut(range);
}

/**
 * The reference pose for a step: zero for an absolute step, the straight sample's pose for a
 * relative one (null when there is none yet: a relative step cannot be judged).
 */
function referenceOf(
  step: EnrollStep,
  straight: HeadPose | null,
): { yaw: number; pitch: number } | null {
  if (step.reference === 'absolute') return { yaw: 0, pitch: 0 };
  return straight ? { yaw: straight.yaw, pitch: straight.pitch } : null;
}

/**
 * Does this pose show the step's view? `straight` is the pose recorded for the straight sample,
 * which the relative views are measured from.
 */
export function poseInTarget(
  step: EnrollStep,
  pose: HeadPose | null,
  straight: HeadPose | null = null,
): boolean {
  const ref = referenceOf(step, straight);
  if (pose === null || ref === null) return false;
  return (['yaw', 'pitch'] as const).every((axis) =>
    targetRanges(step, axis, ref[axis]).some((r) => within(pose[axis] - ref[axis], r)),
  );
}

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

export const EITHER_WAY_MORE = 'Tilt your chin up or down a little more.';

/** What to say to bring Δ on one axis into its ranges, or null when it is in one of them. */
function axisHint(
  axis: Axis,
  delta: number,
  ranges: AngleRange[],
  eitherWay: boolean,
): string | null {
  if (ranges.some((r) => within(delta, r))) return null;
  const words = WORDS[axis];
  if (eitherWay) {
    // Either way counts: past the side the head moved to is "too far", short of it is "more".
    const side = ranges.find((r) => (delta >= 0 ? r.min >= 0 : r.max <= 0));
    const past = side !== undefined && (delta >= 0 ? delta > side.max : delta < side.min);
    return past ? words.tooFar[delta > 0 ? 'down' : 'up'] : EITHER_WAY_MORE;
  }
  const range = ranges[0];
  if (!range) return null;
  const dir = delta < range.min ? 'up' : 'down';
  if (range.min > 0 || range.max < 0) {
    // A turn away from the reference is asked for.
    const target = range.min > 0 ? 'up' : 'down';
    if (dir === target) {
      const edge = target === 'up' ? range.min : range.max;
      return Math.abs(delta - edge) > Math.abs(edge) / 2 ? words.start[dir] : words.more[dir];
    }
    return words.tooFar[dir];
  }
  return words.centre[dir];
}

/** The step's hint for this pose, main axis first; null when the pose shows the view. */
export function poseHint(
  step: EnrollStep,
  pose: HeadPose | null,
  straight: HeadPose | null = null,
): string | null {
  if (pose === null) return null;
  if (!Number.isFinite(pose.yaw) || !Number.isFinite(pose.pitch)) {
    return 'Hold still: your head position could not be read.';
  }
  const ref = referenceOf(step, straight);
  if (ref === null) return null;
  const axes: Axis[] = step.id === 'nod' ? ['pitch', 'yaw'] : ['yaw', 'pitch'];
  for (const axis of axes) {
    const hint = axisHint(
      axis,
      pose[axis] - ref[axis],
      targetRanges(step, axis, ref[axis]),
      step.eitherWay === axis,
    );
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
 * replaced by the step's own pose hint, which says which way to move (the targets are cut at the
 * gate's limits, so the hint says "too far" wherever the gate would); a lean (roll) is worded so
 * as not to clash with "tilt your chin". `straight` is the straight sample's pose.
 */
export function enrollmentGuidance(
  step: EnrollStep,
  quality: { reasons: readonly QualityReason[]; pose: HeadPose | null } | null,
  straight: HeadPose | null = null,
): EnrollGuidance {
  if (quality === null) return { ready: false, message: '' };
  const hint = poseHint(step, quality.pose, straight);
  const messages = qualityMessages(quality.reasons, {
    head_turned: null,
    head_tilted: 'Keep your head upright: do not lean it to one side.',
  });
  if (hint) messages.push(hint);
  const ready = quality.reasons.length === 0 && poseInTarget(step, quality.pose, straight);
  if (ready) return { ready, message: HOLD_IT };
  return { ready, message: messages.length > 0 ? messages.join(' ') : step.prompt };
}
