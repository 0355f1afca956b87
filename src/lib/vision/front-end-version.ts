/**
 * Names the way crops are made (detector, landmarks, alignment). Crop caches are keyed by it, so a
 * change of front end never mixes old crops into training or evaluation.
 */
export const FRONT_END_VERSION = 'mesh5-v1';

/** How crops of this front end are aligned, as the model manifest states it. */
export const ALIGNMENT_DESCRIPTION =
  'similarity to the ArcFace 112x112 template, 5 face-mesh points (eye centres from the eye corners, nose tip, mouth corners); face chosen by BlazeFace, confirmed by the mesh';
