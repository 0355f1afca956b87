/**
 * Names the way crops are made (detector, landmarks, alignment). Crop caches are keyed by it, so a
 * change of front end never mixes old crops into training or evaluation.
 */
export const FRONT_END_VERSION = 'mesh5-v1';
