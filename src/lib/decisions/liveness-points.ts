/**
 * The face-mesh points liveness looks at (MediaPipe Face Mesh indices). Rigid ones move with the
 * skull; the lids and lips are where a live face changes shape.
 */

/** Points that move with the skull: eye corners, brows, nose, face outline, cheeks. */
export const RIGID_POINTS: readonly number[] = [
  // eye corners
  33, 133, 362, 263,
  // brows
  70, 105, 107, 336, 334, 300,
  // nose: bridge, tip, wings, base
  6, 168, 197, 195, 5, 4, 1, 2, 98, 327,
  // outline: forehead, temples, cheeks, jaw, chin
  10, 109, 338, 127, 356, 234, 454, 93, 323, 132, 361, 58, 288, 172, 397, 136, 365, 148, 377, 152,
  // cheeks inside the outline
  50, 280, 205, 425, 187, 411,
];

/** Upper and lower lids (pairs: upper, lower), for how open each eye is. */
export const LID_PAIRS: readonly (readonly [number, number])[] = [
  [159, 145],
  [158, 153],
  [160, 144],
  [386, 374],
  [385, 380],
  [387, 373],
];

/** Inner lips (upper, lower) and the mouth corners. */
export const LIP_PAIRS: readonly (readonly [number, number])[] = [
  [13, 14],
  [82, 87],
  [312, 317],
];
export const MOUTH_CORNERS = [61, 291] as const;

/** Every point the liveness check reads. */
export const LIVENESS_POINTS: readonly number[] = [
  ...new Set([...RIGID_POINTS, ...LID_PAIRS.flat(), ...LIP_PAIRS.flat(), ...MOUTH_CORNERS]),
];
