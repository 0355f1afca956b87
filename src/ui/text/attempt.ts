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
    'No sign of a live face: the face never blinked or moved, as a photo or a screen would not. A picture cannot unlock. Blink, or turn your head a little and back.',
  open_failed: 'The vault did not open. Try again.',
};
