/** What the unlock screen says after a rejection: the first hint (decisions/rejection-hints.ts), else the neutral text. */
import type { HintKind, RejectionHint } from '../../lib/decisions/rejection-hints';

const HINT_MESSAGES: Record<HintKind, string> = {
  eyes_covered:
    'Your eyes looked covered or closed (sunglasses, hair, a hand?). Uncover them and look at the camera.',
  eyes_closed: 'Your eyes looked closed. Keep them open and look at the camera.',
  side_light:
    'Strong light from one side: the {dark} half of your face, as the camera sees it, was much darker than the other. Turn towards the light so it falls evenly.',
  pose: 'Your head was turned or tilted. Face the camera straight on, level.',
  dark: 'Your face was dim. More light in front of you will help.',
  bright: 'Your face was washed out by bright light. Move out of direct light.',
  blurry: 'The picture was soft. Hold still, and check the lens is clean.',
};

export function hintMessage(hint: RejectionHint): string {
  const message = HINT_MESSAGES[hint.kind];
  return hint.darkSide ? message.replace('{dark}', hint.darkSide) : message;
}

/** The neutral text for a rejection with no hint: nothing about light or pose. */
export function neutralRejection(targetName: string | null): string {
  if (!targetName) {
    // Identify: possibly a stranger; nothing about what was seen (see verification.svelte.ts).
    return 'If you are enrolled here, try again, or choose your name under “Who?” to be told what got in the way.';
  }
  return `This face did not match ${targetName} closely enough. Light, pose and sharpness looked fine. Try again; if it keeps failing, re-enroll on this device.`;
}

/** The first hint's message, or the neutral one (`targetName`: the person of a 1:1 attempt). */
export function rejectionMessage(
  hints: readonly RejectionHint[],
  targetName: string | null,
): string {
  const first = hints[0];
  return first ? hintMessage(first) : neutralRejection(targetName);
}
