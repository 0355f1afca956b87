import type { FinetuneRecord } from '../lib/store/schema';

export type FinetuneUsage = 'templates-and-norm' | 'templates' | 'norm' | 'none';

/**
 * What unlock takes from the stored fine-tune. Its two parts pass their checks separately (trained
 * templates, per-person score normalisation), so "in use" is not one yes/no: every screen that
 * mentions the fine-tune says it with this one function.
 */
export function finetuneUsage(record: FinetuneRecord | null): FinetuneUsage {
  const templates = record?.used === true;
  const norm = record?.norm != null;
  if (templates && norm) return 'templates-and-norm';
  if (templates) return 'templates';
  if (norm) return 'norm';
  return 'none';
}

export const FINETUNE_USAGE_TEXT: Record<FinetuneUsage, string> = {
  'templates-and-norm':
    'Unlock uses the templates fine-tuned on this device, with each person’s scores normalised.',
  templates: 'Unlock uses the templates fine-tuned on this device.',
  norm: 'Unlock uses the shipped model’s templates, with each person’s scores normalised by the last fine-tune (its trained templates did not pass their check).',
  none: 'Unlock uses the shipped model.',
};
