/** What a fine-tune does and how hard: the knobs scripts/eval-finetune.ts compares. */
export interface FinetuneConfig {
  rank: number;
  s: number;
  m: number;
  steps: number;
  lr: number;
  /** Augmented views per sample that has a crop. */
  views: number;
  /**
   * Most augmented views per person: someone enrolled with many samples gets fewer views of each,
   * since the backbone passes for the views are most of the fine-tune's time.
   */
  viewBudget: number;
  /** Background samples replayed per step. */
  bankBatch: number;
  /** How many background people (the nearest to the enrolled ones) join the head. */
  bankClasses: number;
  /** Weight of the replayed background samples' loss. */
  rehearsal: number;
  /** L2 weight on the adapter. */
  decay: number;
  /** L2 pull of free ('head') class weights back to their start, the mean of samples and views. */
  anchor: number;
  /**
   * Weight of a hinge on replayed strangers against the enrolled people's templates: none may
   * score higher than it did with the base model, unless it stays below (threshold - repelMargin).
   * LMCL alone lets every score drift up together, while the app accepts anyone above a fixed
   * threshold: the hinge keeps the threshold's false-accept rate where it was calibrated.
   */
  repel: number;
  repelMargin: number;
  /**
   * 'mean' (tied): the enrolled people's LMCL class weights are their templates, the normalised
   * mean of their adapted samples, so training shapes exactly what matching compares against.
   * 'head': free class weights, matched against. 'views': tied to samples and augmented views.
   * 'base': the templates stay the base model's (enrollment as it was); the adapter acts on probes
   * only, learning to bring a webcam view of a face back to where a good photo of it would be.
   */
  templates: 'head' | 'mean' | 'views' | 'base';
  augment: 'webcam' | 'mild';
  /**
   * Also normalise each template's scores against the bank (score-norm.ts), if the check finds
   * it accepts no more validation strangers and rejects no more held-out samples.
   */
  scoreNorm: boolean;
  seed: number;
}

/**
 * The shipped setting, chosen with scripts/eval-finetune.ts (docs/FINETUNE.md): only the enrolled
 * people's class weights train (rank 0: no embedding adapter, because every adapter measured let
 * webcam-degraded strangers score higher), starting from the mean of samples and mild views,
 * anchored there, with a strong stranger hinge that covers the band 0.15 below the threshold.
 */
export const DEFAULT_FINETUNE: FinetuneConfig = {
  rank: 0,
  s: 32,
  m: 0.35,
  steps: 80,
  lr: 2e-3,
  views: 8,
  viewBudget: 64,
  bankBatch: 128,
  bankClasses: 128,
  rehearsal: 1,
  decay: 1e-3,
  anchor: 1,
  repel: 20,
  repelMargin: 0.15,
  templates: 'head',
  augment: 'mild',
  scoreNorm: true,
  seed: 1,
};
