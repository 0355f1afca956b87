/**
 * Which analysed camera frames run the backbone. Pure: the flows' state and the clock come in.
 *
 * Every camera frame is analysed (detection, mesh, alignment, quality): the liveness check needs
 * each one, since a blink lasts 100-300 ms and 10 frames a second miss it. The backbone (~40 ms a
 * crop and its mirror on a laptop CPU) runs only on the frames a decision needs, so the frames in
 * between keep the camera's rate:
 * - unlock, before the face has shown life: one good frame every SEARCH_EMBED_EVERY_MS, so a match
 *   (FrameDecision's run of consecutive matched frames) is ready when life shows; none while a
 *   requested head turn is on screen: a backbone frame holds the worker for several camera frames,
 *   and a brisk turn is over in a few of them (the turn is read from the poses in between);
 * - unlock, once live: every good frame until the decision (the run completes at once);
 * - enrollment: only the frames the enrollment would keep (EnrollmentFlow.wants);
 * - anything else (camera check, no flow): none.
 * A good frame that is not embedded neither extends nor breaks FrameDecision's run: only frames
 * that fail the quality gate break it.
 */

/** While the face has not shown life: at most one embedded frame this often (ms). */
export const SEARCH_EMBED_EVERY_MS = 250;

export interface UnlockEmbedState {
  /** The attempt is still looking (no verdict yet). */
  looking: boolean;
  /** The face has shown itself alive in this attempt (VerificationFlow.live). */
  live: boolean;
  /** When the last embedding was matched in this attempt (null: none yet). */
  lastEmbeddedAt: number | null;
  /** A requested head turn is on screen, not yet answered. */
  turnAsked?: boolean;
}

/** Unlock: does the next good frame need the backbone at `now`? */
export function unlockWantsEmbedding(
  state: UnlockEmbedState,
  now: number,
  everyMs = SEARCH_EMBED_EVERY_MS,
): boolean {
  if (!state.looking) return false;
  if (state.live) return true;
  if (state.turnAsked) return false;
  return state.lastEmbeddedAt === null || now - state.lastEmbeddedAt >= everyMs;
}

export type EmbedAsk =
  | { mode: 'none' }
  | { mode: 'verify'; wants: () => boolean }
  | { mode: 'enroll'; wants: () => boolean };

/**
 * One analysed frame: embed it? Only a usable frame (passed the quality gate, has a crop) is ever
 * embedded; the flow's own `wants` is asked only then.
 */
export function shouldEmbed(ask: EmbedAsk, usable: boolean): boolean {
  if (!usable || ask.mode === 'none') return false;
  return ask.wants();
}
