/**
 * Names the way crops are made (detector, landmarks, alignment). Crop caches are keyed by it, so a
 * change of front end never mixes old crops into training or evaluation.
 */
export const FRONT_END_VERSION = 'mesh5-v1';

/** How crops of this front end are aligned, as the model manifest states it. */
export const ALIGNMENT_DESCRIPTION =
  'similarity to the ArcFace 112x112 template, 5 face-mesh points (eye centres from the eye corners, nose tip, mouth corners); face chosen by BlazeFace, confirmed by the mesh';

/**
 * Still images (datasets, evaluation) get a second landmark pass in the region the first mesh
 * defines: the camera gets the same from tracking (the previous frame's mesh frames the next), so
 * training and evaluation crops match live ones. Measured on LFW folds 6-10 with the starting
 * network: 99.20 % one pass, 99.27 % two (docs/EXPERIMENTS.md).
 */
export const IMAGE_REFINE = true;
