/** What the unlock screen says once an attempt has stopped (decisions/attempt-outcome.ts's reasons). */
import type { StopReason } from '../../lib/decisions/attempt-outcome';

/** What held the attempt, then what to do. */
export const STOP_MESSAGES: Record<StopReason, string> = {
  no_face: 'No face was found. Sit in front of the camera and look at it.',
  face_unclear:
    'A face was only faintly detected. Face the camera, come a little closer, and uncover your face.',
  multiple_faces: 'More than one face was in view. Only one person at a time.',
  too_small: 'Your face was too small in the picture. Move closer.',
  head_turned: 'Your head was turned away. Face the camera straight on.',
  head_tilted: 'Your head was tilted. Hold it level.',
  blurry: 'The picture was too blurry. Hold still (and check the lens is clean).',
  too_dark: 'Your face was too dark. Add light in front of you.',
  too_bright: 'Your face was too bright. Avoid direct light on you or behind you.',
  no_frames: 'The camera stopped sending pictures. Check it is connected and not in use elsewhere.',
  undecided: 'No decision in time. Hold still, facing the camera.',
  not_live:
    'No sign of a live face: no blink, and the head did not turn to the side asked and back. A photo or a recording cannot unlock. Next time, turn your head the way the arrow shows, then back.',
  open_failed: 'The vault did not open. Try again.',
};

/** The requested head turn (decisions/head-turn-challenge.ts): the person's own left or right. */
export const TURN_PROMPTS: Record<'left' | 'right', string> = {
  left: 'Turn your head to your left, then back.',
  right: 'Turn your head to your right, then back.',
};

/** The request renewed after a turn too small or too flat to count. */
export const TURN_FURTHER_PROMPTS: Record<'left' | 'right', string> = {
  left: 'Once more, a little further: turn your head to your left, then back.',
  right: 'Once more, a little further: turn your head to your right, then back.',
};

/** Said while the attempt goes on after a turn the other way (a blink can still show life). */
export const WRONG_WAY_HINT =
  'That was the other way, so the turn cannot count this time. A blink still can: look at the camera and blink.';

/** The attempt ended after a turn the other way (the Strict level allows one try). */
export const WRONG_WAY_STOP =
  'The head turned the other way first. The side changes each time, so a recording cannot guess it: try again and follow the arrow.';
