/**
 * The stored on-device fine-tune. Saved in one transaction that first re-reads the samples, so a
 * fine-tune that finished after someone was added, re-enrolled or deleted is never stored as if
 * it were current.
 */
import { openFacegateDb, writeTransaction } from './db';
import type { FinetuneRecord, SampleRecord } from './schema';

/** Identifies the exact set of samples a fine-tune was trained on (and the model they came from). */
export function finetuneKey(
  modelId: string,
  samples: readonly Pick<SampleRecord, 'id' | 'personId'>[],
): string {
  const ids = samples.map((s) => `${s.personId}/${s.id}`).sort();
  return `${modelId}|${ids.join(',')}`;
}

export async function getFinetune(): Promise<FinetuneRecord | undefined> {
  const db = await openFacegateDb();
  return db.get('finetune', 'current');
}

/** Stores `record` if the samples are still those it was trained on; returns whether it did. */
export async function saveFinetune(record: FinetuneRecord): Promise<boolean> {
  return writeTransaction(['samples', 'finetune'], async (tx) => {
    const samples = await tx.objectStore('samples').getAll();
    const current = finetuneKey(
      record.modelId,
      samples.filter((s) => s.modelId === record.modelId),
    );
    if (current !== record.samplesKey) return false;
    await tx.objectStore('finetune').put(record);
    return true;
  });
}

export async function clearFinetune(): Promise<void> {
  await writeTransaction(['finetune'], async (tx) => {
    await tx.objectStore('finetune').clear();
  });
}
