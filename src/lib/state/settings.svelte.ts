import type { SecurityLevel } from '../math/match';
import { announceChange } from '../store/changes';
import { dropCrops, dropThumbnails } from '../store/people';
import { getSettings, setSetting, SETTING_DEFAULTS, type Settings } from '../store/settings';
import { errorText } from './error-text';
import { mayManage } from './manage-gate';
import type { Notices } from './notices.svelte';
import type { VaultSession } from './vault.svelte';

/** The settings, as stored; changed only with the vault open (firstRunDone excepted). */
export class AppSettings {
  values = $state<Settings>({ ...SETTING_DEFAULTS });
  readonly #vault: Pick<VaultSession, 'isOpen' | 'key'>;
  readonly #notices: Notices;
  // Listeners, not shown state: nothing renders from this set.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #keptFaceDataListeners = new Set<() => Promise<void>>();

  constructor(vault: Pick<VaultSession, 'isOpen' | 'key'>, notices: Notices) {
    this.#vault = vault;
    this.#notices = notices;
  }

  /** Reads what is stored (at start, and when another tab changed a setting). */
  async load(): Promise<void> {
    this.values = await getSettings();
  }

  /**
   * `listener` runs (awaited) after photos or face crops were turned on or off: whoever shows
   * people re-reads them, since turning one off deleted what was kept.
   */
  onKeptFaceDataChanged(listener: () => Promise<void>): () => void {
    this.#keptFaceDataListeners.add(listener);
    return () => this.#keptFaceDataListeners.delete(listener);
  }

  async setSecurityLevel(level: SecurityLevel): Promise<void> {
    await this.updateSetting('securityLevel', level);
  }

  /** Settings change only with the vault open (firstRunDone excepted: it guards nothing). */
  async updateSetting<K extends keyof Settings>(key: K, value: Settings[K]): Promise<void> {
    if (key !== 'firstRunDone' && !mayManage(this.#vault, this.#notices)) return;
    try {
      // Turning a kind of kept face data off deletes what was kept, before saying it is off.
      if (key === 'storeThumbnails' && value === false) await dropThumbnails();
      if (key === 'keepCrops' && value === false) await dropCrops(this.#vault.key());
      await setSetting(key, value);
      this.values = { ...this.values, [key]: value };
      announceChange({ kind: 'settings' });
      if (key === 'storeThumbnails' || key === 'keepCrops') {
        for (const listener of [...this.#keptFaceDataListeners]) await listener();
      }
    } catch (e) {
      this.#notices.show(errorText(e));
    }
  }
}
