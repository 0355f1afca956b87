/**
 * The stored on-device fine-tune, sealed with the vault's data key. Saved in one transaction that
 * first re-reads the samples, so a fine-tune that finished after someone was added, re-enrolled
 * or deleted is never stored as if it were current.
 */
import { openFacegateDb, writeTransaction } from './db';
import type { FinetuneRecord, SampleRecord } from './schema';
import { isStoredFinetune, openFinetune, sealFinetune } from './sealing';

/** Identifies the exact set of samples a fine-tune was trained on (and the model they came from). */
export function finetuneKey(
  modelId: string,
  samples: readonly Pick<SampleRecord, 'id' | 'personId'>[],
): string {
  const ids = samples.map((s) => `${s.personId}/${s.id}`).sort();
  return `${modelId}|${ids.join(',')}`;
}

export async function getFinetune(key: CryptoKey): Promise<FinetuneRecord | undefined> {
  const db = await openFacegateDb();
  const stored = await db.get('finetune', 'current');
  return stored && isStoredFinetune(stored) ? openFinetune(key, stored) : undefined;
}

/** Stores `record` if the samples are still those it was trained on; returns whether it did. */
export async function saveFinetune(key: CryptoKey, record: FinetuneRecord): Promise<boolean> {
  const sealed = await sealFinetune(key, record);
  return writeTransaction(['samples', 'finetune'], async (tx) => {
    const samples = await tx.objectStore('samples').getAll();
    const current = finetuneKey(
      record.modelId,
      samples.filter((s) => s.modelId === record.modelId),
    );
    if (current !== record.samplesKey) return false;
    await tx.objectStore('finetune').put(sealed);
    return true;
  });
}

export async function clearFinetune(): Promise<void> {
  await writeTransaction(['finetune'], async (tx) => {
    await tx.objectStore('finetune').clear();
  });
}
