/** User settings, one record per key, typed by key. */

import { isSecurityLevel } from '../math/match';
import type { SecurityLevel } from '../math/match';
import { openFacegateDb, StoreError, writeTransaction } from './db';

export interface Settings {
  /** Which calibrated threshold of the model manifest verification uses. */
  securityLevel: SecurityLevel;
  /** Keep a small photo of each enrolled person (encrypted; shown in People; never exported). */
  storeThumbnails: boolean;
  /** Keep each sample's aligned face crop (encrypted) so fine-tuning can make views of it. */
  keepCrops: boolean;
  firstRunDone: boolean;
  /** Idle seconds before an unlocked session locks again. */
  lockTimeoutSeconds: number;
  /** Fine-tune on this device whenever the enrolled people change. */
  autoFinetune: boolean;
}

export type SettingKey = keyof Settings;

export const SETTING_DEFAULTS: Readonly<Settings> = {
  securityLevel: 'far_1e-4',
  storeThumbnails: true,
  keepCrops: true,
  firstRunDone: false,
  lockTimeoutSeconds: 60,
  autoFinetune: true,
};

const VALID: { [K in SettingKey]: (v: unknown) => v is Settings[K] } = {
  securityLevel: isSecurityLevel,
  storeThumbnails: (v): v is boolean => typeof v === 'boolean',
  keepCrops: (v): v is boolean => typeof v === 'boolean',
  firstRunDone: (v): v is boolean => typeof v === 'boolean',
  lockTimeoutSeconds: (v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0,
  autoFinetune: (v): v is boolean => typeof v === 'boolean',
};

/** The stored value, or the default when unset or unreadable (e.g. written by a newer version). */
export async function getSetting<K extends SettingKey>(key: K): Promise<Settings[K]> {
  const db = await openFacegateDb();
  const record = await db.get('settings', key);
  const valid: (v: unknown) => v is Settings[K] = VALID[key];
  return record !== undefined && valid(record.value) ? record.value : SETTING_DEFAULTS[key];
}

export async function getSettings(): Promise<Settings> {
  const [
    securityLevel,
    storeThumbnails,
    keepCrops,
    firstRunDone,
    lockTimeoutSeconds,
    autoFinetune,
  ] = await Promise.all([
    getSetting('securityLevel'),
    getSetting('storeThumbnails'),
    getSetting('keepCrops'),
    getSetting('firstRunDone'),
    getSetting('lockTimeoutSeconds'),
    getSetting('autoFinetune'),
  ]);
  return {
    securityLevel,
    storeThumbnails,
    keepCrops,
    firstRunDone,
    lockTimeoutSeconds,
    autoFinetune,
  };
}

export async function setSetting<K extends SettingKey>(key: K, value: Settings[K]): Promise<void> {
  const valid: (v: unknown) => v is Settings[K] = VALID[key];
  if (!valid(value)) throw new StoreError(`That is not a valid value for ${key}.`);
  await writeTransaction(['settings'], async (tx) => {
    await tx.objectStore('settings').put({ key, value });
  });
}
