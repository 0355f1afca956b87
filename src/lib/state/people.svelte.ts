import type { EngineInfo } from '../pipeline/frame-pipeline.svelte';
import { announceChange } from '../store/changes';
import { StoreError } from '../store/db';
import { exportData, ExportError, ImportError, parseExport } from '../store/export-format';
import { IMPORT_MAX_BYTES, openExport, sealExport } from '../store/export-seal';
import {
  addPerson,
  countPeople,
  deleteAll,
  deletePerson,
  importData,
  listPeople,
  listPeopleWithSamples,
  renamePerson,
  replaceSamples,
} from '../store/people';
import type { PersonRecord, PersonWithSamples } from '../store/schema';
import { passphraseProblem } from '../store/vault';
import type { EnrollmentFlow } from './enrollment.svelte';
import { errorText } from './error-text';
import type { FinetuneController } from './finetune.svelte';
import { mayManage } from './manage-gate';
import type { Notices } from './notices.svelte';
import type { VaultSession } from './vault.svelte';
import type { VaultLock } from './vault-lock';
import { exportFailure, exportTooLarge, fileTooLarge, importFailure } from './transfer-text';

/**
 * What the people owner needs from the face model (the face session): which model stored
 * embeddings must come from, and a fine-tune for the people after they changed.
 */
export interface FaceModel {
  readonly engine: EngineInfo | null;
  ensureEngine(): Promise<EngineInfo | null>;
  startFinetune(auto?: boolean): Promise<void>;
}

const NO_MODEL: FaceModel = {
  engine: null,
  ensureEngine: () => Promise.resolve(null),
  startFinetune: () => Promise.resolve(),
};

/** Everyone enrolled: reading them (decrypted with the vault's key) and managing them. */
export class People {
  /** Everyone enrolled, decrypted: empty while the vault's key is not in this tab. */
  list = $state.raw<PersonRecord[]>([]);
  /** How many are enrolled (names are not secret, so this is known before the secret). */
  count = $state(0);
  readonly #vault: VaultSession;
  readonly #notices: Notices;
  readonly #lock: VaultLock;
  readonly #finetune: FinetuneController;
  // The face session links itself once it exists (it needs the people too): until then no model.
  #model: FaceModel = NO_MODEL;

  constructor(
    vault: VaultSession,
    notices: Notices,
    lock: VaultLock,
    finetune: FinetuneController,
  ) {
    this.#vault = vault;
    this.#notices = notices;
    this.#lock = lock;
    this.#finetune = finetune;
  }

  useModel(model: FaceModel): void {
    this.#model = model;
  }

  async reload(): Promise<void> {
    this.count = await countPeople();
    if (!this.#vault.hasKey) {
      this.forget();
      return;
    }
    // With the model loaded the fine-tune check needs the samples too: one read, one decryption.
    if (this.#model.engine) {
      this.list = (await this.refreshFinetune()).map((p) => p.person);
    } else {
      this.list = await listPeople(this.#vault.key());
    }
  }

  /** The key is gone (locked out, sealed): nothing decrypted stays in memory. */
  forget(): void {
    this.list = [];
    this.#finetune.forget();
  }

  /** Loads the stored fine-tune if it still fits the current model and samples. */
  async refreshFinetune(): Promise<PersonWithSamples[]> {
    const modelId = this.#model.engine?.manifest.id;
    if (!modelId || !this.#vault.hasKey) return [];
    const key = this.#vault.key();
    const people = await listPeopleWithSamples(key);
    await this.#finetune.refresh(key, modelId, people);
    return people;
  }

  /**
   * Stores what `flow` captured: a new person named `name`, or new samples for `reenrollId`.
   * The flow shows the saving and its end.
   */
  async saveEnrollment(
    flow: EnrollmentFlow,
    name: string,
    reenrollId: string | null,
  ): Promise<boolean> {
    const engine = this.#model.engine;
    if (!engine || !mayManage(this.#vault, this.#notices)) return false;
    const key = this.#vault.key();
    flow.status = 'saving';
    try {
      const crops = flow.crops.length === flow.samples.length ? flow.crops : undefined;
      if (reenrollId) {
        await replaceSamples(key, reenrollId, flow.samples, crops ? { crops } : {});
      } else {
        await addPerson(key, {
          name,
          modelId: engine.manifest.id,
          samples: flow.samples,
          thumbnail: flow.thumbnails[0] ?? null,
          ...(crops ? { crops } : {}),
        });
      }
      announceChange({ kind: 'people' });
      await this.reload();
      flow.status = 'done';
      void this.#model.startFinetune(true);
      return true;
    } catch (e) {
      flow.status = 'naming';
      this.#notices.show(
        e instanceof StoreError ? e.message : `Nothing was saved: ${errorText(e)}`,
      );
      return false;
    }
  }

  async rename(id: string, name: string): Promise<void> {
    if (!mayManage(this.#vault, this.#notices)) return;
    try {
      await renamePerson(id, name);
      announceChange({ kind: 'people' });
      await this.reload();
    } catch (e) {
      this.#notices.show(errorText(e));
    }
  }

  async remove(id: string): Promise<void> {
    if (!mayManage(this.#vault, this.#notices)) return;
    try {
      this.#finetune.cancel(false);
      await deletePerson(id);
      announceChange({ kind: 'people' });
      const by = this.#vault.openedBy;
      if (by?.kind === 'face' && by.id === id) this.#lock.lock();
      await this.reload();
      void this.#model.startFinetune(true);
    } catch (e) {
      this.#notices.show(errorText(e));
    }
  }

  async removeEveryone(): Promise<void> {
    if (!mayManage(this.#vault, this.#notices)) return;
    try {
      this.#finetune.cancel(false);
      await deleteAll();
      announceChange({ kind: 'people' });
      await this.reload();
    } catch (e) {
      this.#notices.show(errorText(e));
    }
  }

  /**
   * A file of everyone enrolled with the current model (no photos, no crops), encrypted with a
   * passphrase chosen for the file (export-seal.ts).
   */
  async exportPeople(
    passphrase: string,
    confirm: string,
  ): Promise<{ name: string; text: string } | null> {
    if (!mayManage(this.#vault, this.#notices)) return null;
    if (passphrase !== confirm) {
      this.#notices.show('The two passphrases for the file differ; nothing was exported.');
      return null;
    }
    const problem = passphraseProblem(passphrase);
    if (problem) {
      this.#notices.show(`${problem} The file is encrypted with it; nothing was exported.`);
      return null;
    }
    const engine = await this.#model.ensureEngine();
    if (!engine) return null;
    try {
      const people = (await listPeopleWithSamples(this.#vault.key())).filter(
        (p) => p.person.modelId === engine.manifest.id,
      );
      // A one-off file name, not reactive state.
      // eslint-disable-next-line svelte/prefer-svelte-reactivity
      const date = new Date().toISOString().slice(0, 10);
      const text = await sealExport(exportData(people, engine.manifest.id), passphrase);
      // Base64 only: its length is its size in bytes.
      if (text.length > IMPORT_MAX_BYTES) throw exportTooLarge(text.length);
      return { name: `facegate-people-${date}.json`, text };
    } catch (e) {
      if (!(e instanceof ExportError || e instanceof StoreError)) console.error(e);
      this.#notices.show(exportFailure(e));
      return null;
    }
  }

  /** Checks the whole file first; a file that fails any check changes nothing. */
  async importPeople(file: Blob, passphrase: string, replace: boolean): Promise<number> {
    if (!mayManage(this.#vault, this.#notices)) return 0;
    // Plain or encrypted, the same limit and the same words, before anything is read.
    if (file.size > IMPORT_MAX_BYTES) {
      this.#notices.show(fileTooLarge(file.size));
      return 0;
    }
    const engine = await this.#model.ensureEngine();
    if (!engine) return 0;
    let count: number;
    try {
      // An encrypted file opens to the plain text, and the same checks run on either.
      const text = await openExport(await file.text(), passphrase);
      const parsed = parseExport(text, {
        modelId: engine.manifest.id,
        dim: engine.manifest.embedding.dim,
      });
      count = await importData(this.#vault.key(), parsed, { replace });
    } catch (e) {
      // Not a refusal written for the user: a bug or the browser; the console keeps the details.
      if (!(e instanceof ImportError || e instanceof StoreError)) console.error(e);
      this.#notices.show(importFailure(e));
      return 0;
    }
    // Written: from here a failure must not say that nothing was imported.
    announceChange({ kind: 'people' });
    this.#notices.show(`Imported ${count} ${count === 1 ? 'person' : 'people'}.`);
    try {
      await this.reload();
    } catch (e) {
      console.error(e);
      this.#notices.show(
        `Imported ${count} ${count === 1 ? 'person' : 'people'}, but the list could not be read back; reload the page.`,
      );
    }
    void this.#model.startFinetune(true);
    return count;
  }
}
