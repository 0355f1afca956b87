/** What guided enrollment says: each view's prompt and the line under it (decisions/enroll-guidance.ts). */
import type { EnrollGuidance, EnrollStep, PoseHint } from '../../lib/decisions/enroll-guidance';
import { qualityMessages } from './quality';

export const STEP_PROMPTS: Record<EnrollStep['id'], string> = {
  straight: 'Look straight at the camera',
  left: 'Turn your head slightly to your left',
  right: 'Turn your head slightly to your right',
  nod: 'Tilt your chin up or down a little',
};

/** Each view's short name, for the progress ring (what is done, what is still missing). */
export const STEP_NAMES: Record<EnrollStep['id'], string> = {
  straight: 'straight',
  left: 'turn left',
  right: 'turn right',
  nod: 'chin up or down',
};

/** Words per axis: `up` moves the angle up (yaw: to your left; pitch: chin down). */
const WORDS = {
  yaw: {
    start: { up: 'Turn your head to your left.', down: 'Turn your head to your right.' },
    more: { up: 'Turn a little more to your left.', down: 'Turn a little more to your right.' },
    // Past the view: `up` means the angle must come up again (a right turn went too far).
    too_far: { up: 'Too far: turn back a little.', down: 'Too far: turn back a little.' },
    centre: {
      up: 'Face the camera: turn a little to your left.',
      down: 'Face the camera: turn a little to your right.',
    },
  },
  pitch: {
    start: { up: 'Tilt your chin down.', down: 'Tilt your chin up.' },
    more: { up: 'Lower your chin a little more.', down: 'Raise your chin a little more.' },
    too_far: {
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
export const HOLD_IT = 'Hold it…';
/** Said until the face shows life: no sample is taken from a face that has not. */
export const ENROLL_LIVENESS_ASK = 'Now blink once, or turn your head a little and back.';
/** Said when a face has been in view for LIVENESS_LIMIT_MS without a sign of life. */
export const ENROLL_NOT_LIVE =
  'No sign of a live face yet. Blink once, or turn your head a little and back.';

export function poseHintText(hint: PoseHint): string {
  switch (hint.kind) {
    case 'either_way_more':
      return EITHER_WAY_MORE;
    case 'unreadable':
      return 'Hold still: your head position could not be read.';
    default:
      return WORDS[hint.axis][hint.kind][hint.dir];
  }
}

/** The line under the prompt for this step and this frame's guidance. */
export function guidanceText(step: EnrollStep, guidance: EnrollGuidance): string {
  switch (guidance.say) {
    case 'nothing':
      return '';
    case 'hold':
      return HOLD_IT;
    case 'prompt':
      return STEP_PROMPTS[step.id];
    case 'liveness_ask':
      return ENROLL_LIVENESS_ASK;
    case 'not_live':
      return ENROLL_NOT_LIVE;
    case 'fix': {
      // A lean (roll) is worded so as not to clash with "tilt your chin".
      const messages = qualityMessages(guidance.reasons, {
        head_tilted: 'Keep your head upright: do not lean it to one side.',
      });
      if (guidance.hint) messages.push(poseHintText(guidance.hint));
      return messages.join(' ');
    }
  }
}
