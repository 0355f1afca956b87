/** What the quality gate's reasons (math/quality.ts) say to the user, one short sentence each. */
import type { FrameProblem } from '../../lib/decisions/attempt-outcome';
import type { QualityReason } from '../../lib/math/quality';

export const QUALITY_MESSAGES: Record<QualityReason, string> = {
  no_face: 'No face found. Look at the camera.',
  multiple_faces: 'More than one face in view. Only one person at a time.',
  too_small: 'Face too small. Move closer.',
  // Said only beyond the widest pose enrollment asks for, so it never contradicts its prompts.
  head_turned: 'Head turned too far. Turn back towards the camera.',
  head_tilted: 'Head tilted. Hold your head level.',
  blurry: 'Too blurry. Hold still.',
  too_dark: 'Too dark. Add light in front of you.',
  too_bright: 'Too bright. Avoid direct light behind or on you.',
};

/** A reason's words replaced (a string) or left out (null), e.g. by enrollment's pose guidance. */
export type QualityMessageOverrides = Partial<Record<QualityReason, string | null>>;

/** What the live camera view says about one frame. */
export const FRAME_MESSAGES: Record<FrameProblem, string> = {
  ...QUALITY_MESSAGES,
  face_unclear: 'Face not clear enough to use. Face the camera, closer, with nothing covering it.',
};

/** The words for these reasons, in order. */
export function qualityMessages(
  reasons: readonly FrameProblem[],
  overrides: QualityMessageOverrides = {},
): string[] {
  return reasons.flatMap((r) => {
    const message = r in overrides ? overrides[r as QualityReason] : FRAME_MESSAGES[r];
    return message ? [message] : [];
  });
}
