/**
 * The margin lab's contracts: its data (backbone embeddings of 8 people), a run's settings, what
 * the training worker reports after each step, and the messages between page and worker.
 */

import type { BackendName } from '../embedding/backend';

export type LabLoss = 'softmax' | 'nsl' | 'sphereface' | 'cosface' | 'arcface';
export const LAB_LOSSES: readonly LabLoss[] = [
  'softmax',
  'nsl',
  'sphereface',
  'cosface',
  'arcface',
];

/** The data the lab trains on (public/lab/lfw8.json once decoded). */
export interface LabData {
  /** One name per class, in label order. */
  names: string[];
  /** Class of each row. */
  labels: number[];
  /** Rows of `dim` values each, row-major (the backbone's unit embeddings). */
  embeddings: Float32Array;
  dim: number;
  /** How the file was made (shown in the lab, for reproduction). */
  source: { modelId: string; command: string };
}

export interface LabSettings {
  loss: LabLoss;
  /** Scale (radius); ignored by softmax. */
  s: number;
  /** Margin: cosine (cosface), angle in radians (arcface), integer multiplier (sphereface). */
  m: number;
  /** Feature dimension drawn: 2 (circle) or 3 (sphere). */
  featureDim: 2 | 3;
  seed: number;
  learningRate: number;
}

/** What one training step leaves, for drawing and for the table. */
export interface LabSnapshot {
  step: number;
  /** Mean loss of each step so far (NaN once it diverged). */
  losses: number[];
  /** Each sample's feature (featureDim values), not normalised: softmax's norms matter. */
  features: number[][];
  labels: number[];
  /** Each class's weight vector (featureDim values), not normalised. */
  weights: number[][];
  /** Smallest angle between two class weight directions, degrees. */
  minInterClassDeg: number;
  /** Mean angle between a feature and its own class's weight direction, degrees. */
  meanIntraClassDeg: number;
  /** Share of samples whose nearest weight direction is their own class. */
  accuracy: number;
  /**
   * Share of samples that meet the margin: inside their own class's region once the margin is
   * applied (for Softmax and NSL, plain accuracy). Past the paper's bound on m no arrangement of
   * the features can meet it, which is what "training does not converge" means there.
   */
  marginMet: number;
  /** The loss became NaN or Infinity, or a while in most samples still miss the margin. */
  diverged: boolean;
}

export type LabRequest =
  | { type: 'start'; data: LabData; settings: LabSettings; backend: BackendName | null }
  | { type: 'step'; steps: number }
  | { type: 'settings'; settings: LabSettings }
  | { type: 'reset' };

export type LabReply =
  | { type: 'ready'; backend: BackendName }
  | { type: 'snapshot'; snapshot: LabSnapshot }
  | { type: 'error'; message: string };
