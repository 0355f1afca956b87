/** The lab's slider for m, per loss: what m means differs (cosine, angle, multiplier). */
import type { LabLoss } from '../../lib/lab/lab-types';

export interface MarginControl {
  used: boolean;
  label: string;
  min: number;
  max: number;
  step: number;
  default: number;
}

/** m is a cosine margin for CosFace, an angle in radians for ArcFace, an integer for A-Softmax. */
export function marginControl(loss: LabLoss): MarginControl {
  switch (loss) {
    case 'cosface':
      return { used: true, label: 'Cosine margin m', min: 0, max: 1, step: 0.05, default: 0.2 };
    case 'arcface':
      return {
        used: true,
        label: 'Angular margin m (rad)',
        min: 0,
        max: 1.2,
        step: 0.05,
        default: 0.5,
      };
    case 'sphereface':
      return { used: true, label: 'Angle multiplier m', min: 1, max: 4, step: 1, default: 4 };
    default:
      return { used: false, label: '', min: 0, max: 0, step: 1, default: 0 };
  }
}
