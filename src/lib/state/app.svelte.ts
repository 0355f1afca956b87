import type { BackendName } from '../embedding/backend';
import { pipeline, type EngineInfo } from '../pipeline/frame-pipeline.svelte';
import type { SecurityLevel } from '../math/match';
import { openFacegateDb, StoreError } from '../store/db';
import {
  addPerson,
  countPeople,
  countUnsealed,
  deleteAll,
  deletePerson,
  dropCrops,
  dropThumbnails,
  importData,
  listPeople,
  listPeopleWithSamples,
  renamePerson,
  replaceSamples,
} from '../store/people';
import { exportData, ImportError, parseExport } from '../store/export-format';
import { IMPORT_MAX_BYTES, openExport, sealExport } from '../store/export-seal';
import { recordAttempt } from '../store/attempts';
import type { PersonRecord, PersonWithSamples } from '../store/schema';
import { getSettings, setSetting, SETTING_DEFAULTS, type Settings } from '../store/settings';
import {
  addAuthenticator,
  changePassphrase,
  getAuthenticatorWrap,
  openWithPassphrase,
  passphraseProblem,
  removeAuthenticator,
} from '../store/vault';
import { evaluatePrf, registerPrf } from '../crypto/webauthn-prf';
import { waitMs } from '../security/lockout';
import { VaultLockedError, VaultSession } from './vault.svelte';
import { announceChange, onChange } from '../store/changes';
import { CameraSession, type CameraFrame } from './camera.svelte';
import { EnrollmentFlow, ENROLL_STEPS } from './enrollment.svelte';
import { identifyThreshold } from '../math/open-set';
import { FinetuneController } from './finetune.svelte';
import { VerificationFlow } from './verification.svelte';

export type Screen = 'unlock' | 'enroll' | 'people' | 'settings' | 'camera' | 'lab' | 'help';
export const SCREENS: readonly Screen[] = [
  'unlock',
  'enroll',
  'people',
  'settings',
  'camera',
  'lab',
  'help',
];

function screenFromHash(): Screen {
  const name = location.hash.replace(/^#\/?/, '');
  return (SCREENS as readonly string[]).includes(name) ? (name as Screen) : 'unlock';
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function cropToBlob(crop: ImageData): Promise<Blob | null> {
  const canvas = new OffscreenCanvas(crop.width, crop.height);
  canvas.getContext('2d')?.putImageData(crop, 0, 0);
  return canvas.convertToBlob({ type: 'image/jpeg', quality: 0.85 });
}

/** The whole app's state: camera, model, people, settings, and the flow the camera feeds. */
export class AppState {
  screen = $state<Screen>(screenFromHash());
  readonly camera = new CameraSession();
  readonly enrollment = new EnrollmentFlow();
  readonly verification = new VerificationFlow();
  readonly finetune = new FinetuneController();
  readonly vault = new VaultSession();
  /** Everyone enrolled, decrypted: empty while the vault's key is not in this tab. */
  people = $state.raw<PersonRecord[]>([]);
  /** How many are enrolled (names are not secret, so this is known before the secret). */
  peopleCount = $state(0);
  /** When the next face attempt may start (performance.now() time), after failures in a row. */
  attemptAllowedAt = $state(0);
  settings = $state<Settings>({ ...SETTING_DEFAULTS });
  /** The backend in use after a lost GPU moved the page (null: the one the probe chose). */
  backendNote = $state<string | null>(null);
  /** Storage problems and other app-wide messages, shown in a banner. */
  notice = $state<string | null>(null);
  /** Which flow the camera frames go to. */
  mode = $state<'none' | 'enroll' | 'verify'>('none');
  /** Re-enrolling this person (their samples are replaced), or null for a new person. */
  reenrollId = $state<string | null>(null);
  private engineLoad: Promise<EngineInfo | null> | null = null;
  private lockTimer: ReturnType<typeof setTimeout> | null = null;

  /** The models in the frame-pipeline worker, once loaded (null before). */
  get engine(): EngineInfo | null {
    return pipeline.info;
  }

  get engineStatus() {
    return pipeline.status;
  }

  get engineError(): string | null {
    return pipeline.error;
  }

  threshold = $derived(
    this.engine
      ? this.engine.manifest.thresholds[this.settings.securityLevel]
      : Number.POSITIVE_INFINITY,
  );

  async init(): Promise<void> {
    this.routeFromHash();
    addEventListener('hashchange', () => this.routeFromHash());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') this.lock();
    });
    // Another tab enrolled, deleted, changed a setting, failed an attempt or set the secret.
    onChange((change) => void this.changedElsewhere(change.kind));
    this.camera.onFrame((frame) => this.handleFrame(frame));
    // Unlock embeds the crop alone; enrollment adds its mirror image, as templates are made.
    this.camera.embedRequest = () =>
      this.mode === 'verify' ? 'single' : this.mode === 'enroll' ? 'flip' : 'none';
    this.camera.onStopped((why) => this.cameraStopped(why));
    try {
      await openFacegateDb({
        onBlocked: () => {
          this.notice =
            'facegate is open in another tab with an older version. Close that tab to continue.';
        },
        onBlocking: () => {
          this.notice =
            'A newer version of facegate was opened in another tab. Reload this tab to keep using it.';
        },
        onTerminated: () => {
          this.notice =
            'The browser closed facegate’s storage (was site data cleared?). Reload the page.';
        },
      });
      this.settings = await getSettings();
      await this.vault.refresh();
      // Once, at start (it reads every sample): plain records beside a vault are never used.
      const ignored = this.vault.status === 'sealed' ? await countUnsealed() : 0;
      if (ignored > 0) {
        this.notice = `${ignored} stored face records are not encrypted although a passphrase is set; they are ignored (a profile edited outside facegate?).`;
      }
      await this.reloadPeople();
      if (!this.settings.firstRunDone && location.hash === '') this.go('help');
    } catch (e) {
      this.notice = `Your enrolled people could not be read: ${message(e)}`;
    }
  }

  go(screen: Screen): void {
    if (location.hash !== `#/${screen}`) location.hash = `#/${screen}`;
    else this.routeFromHash();
  }

  private routeFromHash(): void {
    const screen = screenFromHash();
    if (screen !== this.screen) {
      this.mode = 'none';
      this.verification.cancel();
    }
    this.screen = screen;
  }

  async reloadPeople(): Promise<void> {
    this.peopleCount = await countPeople();
    if (!this.vault.hasKey) {
      this.people = [];
      this.finetune.forget();
      return;
    }
    // With the model loaded the fine-tune check needs the samples too: one read, one decryption.
    if (this.engine) {
      this.people = (await this.refreshFinetune()).map((p) => p.person);
    } else {
      this.people = await listPeople(this.vault.key());
    }
  }

  private async changedElsewhere(kind: 'people' | 'settings' | 'lockout' | 'vault'): Promise<void> {
    try {
      if (kind === 'settings') this.settings = await getSettings();
      if (kind === 'lockout' || kind === 'vault') await this.vault.refresh();
      if (kind === 'people') this.finetune.cancel(false);
      await this.reloadPeople();
    } catch (e) {
      this.notice = `A change made in another tab could not be read: ${message(e)}`;
    }
  }

  /** Loads the stored fine-tune if it still fits the current model and samples. */
  private async refreshFinetune(): Promise<PersonWithSamples[]> {
    const modelId = this.engine?.manifest.id;
    if (!modelId || !this.vault.hasKey) return [];
    const key = this.vault.key();
    const people = await listPeopleWithSamples(key);
    await this.finetune.refresh(key, modelId, people);
    return people;
  }

  /** Management needs the vault open; says so and returns false when it is not. */
  private mayManage(): boolean {
    if (this.vault.isOpen) return true;
    this.notice = new VaultLockedError().message;
    return false;
  }

  /** The first secret (first enrollment, or sealing people enrolled before encryption). */
  async createVault(passphrase: string, confirm: string): Promise<string | null> {
    if (passphrase !== confirm) return 'The two passphrases differ.';
    const problem = passphraseProblem(passphrase);
    if (problem) return problem;
    return this.withKey(() => this.vault.create(passphrase), 'vault');
  }

  /** The secret: opens the vault (and turns face unlock back on after a lockout). */
  unlockWithPassphrase(passphrase: string): Promise<string | null> {
    return this.withKey(() => this.vault.unlockWithPassphrase(passphrase), 'lockout');
  }

  /** This device's authenticator instead of typing the passphrase (where it has PRF). */
  unlockWithAuthenticator(): Promise<string | null> {
    return this.withKey(async () => {
      const wrap = await getAuthenticatorWrap();
      if (!wrap) throw new StoreError('No authenticator is set up for this vault.');
      await this.vault.unlockWithAuthenticator(await evaluatePrf(wrap.credentialId, wrap.salt));
    }, 'lockout');
  }

  /** Runs a secret's way into the vault; tells other tabs, then loads what the key opens. */
  private async withKey(
    open: () => Promise<void>,
    change: 'vault' | 'lockout',
  ): Promise<string | null> {
    try {
      await open();
      announceChange({ kind: change });
      await this.afterKey();
      return null;
    } catch (e) {
      return message(e);
    }
  }

  private async afterKey(): Promise<void> {
    this.attemptAllowedAt = 0;
    this.armLockTimer();
    await this.reloadPeople();
    if (this.engine && this.settings.autoFinetune && !this.finetune.record && this.people.length) {
      void this.startFinetune(true);
    }
  }

  /** Adds this device's authenticator as a second way to the key; needs the passphrase. */
  async addAuthenticator(passphrase: string): Promise<string | null> {
    if (!this.vault.isOpen) return new VaultLockedError().message;
    try {
      await openWithPassphrase(passphrase);
    } catch {
      return 'The passphrase is not right. Nothing was changed.';
    }
    try {
      const { credentialId, salt, prfOutput } = await registerPrf();
      await addAuthenticator(passphrase, credentialId, salt, prfOutput);
      await this.vault.refresh();
      announceChange({ kind: 'vault' });
      return null;
    } catch (e) {
      return message(e);
    }
  }

  async removeAuthenticator(): Promise<void> {
    if (!this.mayManage()) return;
    try {
      await removeAuthenticator();
      await this.vault.refresh();
      announceChange({ kind: 'vault' });
    } catch (e) {
      this.notice = message(e);
    }
  }

  async changePassphrase(
    oldPassphrase: string,
    newPassphrase: string,
    confirm: string,
  ): Promise<string | null> {
    if (!this.vault.isOpen) return new VaultLockedError().message;
    if (newPassphrase !== confirm) return 'The two new passphrases differ.';
    try {
      await changePassphrase(oldPassphrase, newPassphrase);
      return null;
    } catch (e) {
      return e instanceof Error && e.name === 'WrongSecretError'
        ? 'The current passphrase is not right. Nothing was changed.'
        : message(e);
    }
  }

  /**
   * Fine-tunes for everyone enrolled with the current model. `auto` runs honour the setting and
   * skip when the stored fine-tune already fits the current people.
   */
  async startFinetune(auto = false): Promise<void> {
    if (auto && !this.settings.autoFinetune) return;
    const engine = await this.ensureEngine();
    if (!engine || !this.vault.hasKey) return;
    try {
      const people = await this.refreshFinetune();
      const enrolled = people.filter((p) => p.person.modelId === engine.manifest.id);
      if (enrolled.length === 0) return;
      if (auto && this.finetune.record) return;
      const outcome = await this.finetune.run({
        key: this.vault.key(),
        modelId: engine.manifest.id,
        baseUrl: import.meta.env.BASE_URL,
        backend: engine.backend as BackendName,
        threshold: engine.manifest.thresholds[this.settings.securityLevel],
        people: enrolled,
      });
      // People changed while it ran, so the result was not stored: train for the new set.
      if (outcome === 'stale') await this.startFinetune(true);
      else await this.refreshFinetune();
    } catch (e) {
      this.notice = `Fine-tuning could not start: ${message(e)}`;
    }
  }

  /** Loads the backbone once, on the first screen that needs it; every caller gets the same load. */
  ensureEngine(): Promise<EngineInfo | null> {
    this.engineLoad ??= (async () => {
      pipeline.onBackendLost((lost, now, why) => this.backendLost(lost, now, why));
      const engine = await pipeline.start(import.meta.env.BASE_URL);
      if (!engine) return null;
      await this.refreshFinetune().catch((e: unknown) => {
        this.notice = `The fine-tuned model could not be read; using the shipped one: ${message(e)}`;
      });
      // A fine-tune cut short by closing the tab (or never run for these people) starts again.
      if (this.settings.autoFinetune && !this.finetune.record && this.people.length > 0) {
        void this.startFinetune(true);
      }
      return engine;
    })();
    return this.engineLoad;
  }

  /**
   * The GPU context went away: the worker moved to a CPU backend (the models reload themselves
   * there on their next frame) and carries on; an attempt in progress keeps running.
   */
  private backendLost(lost: BackendName, now: BackendName | null, why: string): void {
    if (now) {
      this.backendNote = now;
      this.notice = `The graphics processor stopped responding (${lost} lost its context); face processing carries on with ${now}, a little slower. Reload the page to try the graphics processor again.`;
    } else {
      this.notice = `The graphics processor stopped and no other engine works: ${why} Reload the page.`;
    }
  }

  /** People enrolled with the current model (embeddings of another model are not comparable). */
  enrolled() {
    const modelId = this.engine?.manifest.id;
    return this.people.filter((p) => p.modelId === modelId);
  }

  /** The enrolled people as verification sees them: fine-tuned templates when a fine-tune is in use. */
  matchable() {
    return this.enrolled().map((p) => {
      const tuned = this.finetune.templateFor(p.id);
      const norm = this.finetune.normFor(p.id);
      return { ...p, template: tuned ?? p.template, norm };
    });
  }

  startEnrollment(reenrollId: string | null = null): void {
    if (!this.mayManage()) return;
    this.reenrollId = reenrollId;
    this.enrollment.restart();
    this.mode = 'enroll';
  }

  /**
   * Starts a face attempt unless the lockout forbids it (read fresh: another tab may have
   * failed meanwhile). Returns false, with the reason shown, when it did not start.
   */
  async startVerification(targetId: string | null = null): Promise<boolean> {
    const lockout = await this.vault.refreshLockout();
    if (lockout.lockedOut || !this.vault.hasKey) {
      // Locked out (perhaps by another tab): the key is gone, the screen asks for the secret.
      this.mode = 'none';
      await this.reloadPeople();
      return false;
    }
    const wait = waitMs(lockout, Date.now());
    if (wait > 0) {
      this.attemptAllowedAt = performance.now() + wait;
      return false;
    }
    this.attemptAllowedAt = 0;
    const people = this.matchable();
    const target = targetId ? (people.find((p) => p.id === targetId) ?? null) : null;
    // 1:N gives a stranger one chance per enrolled person: the threshold rises with N so the
    // security level's false-accept rate holds per attempt (open-set.ts).
    const threshold =
      target || !this.engine
        ? this.threshold
        : identifyThreshold(
            this.engine.manifest.thresholds,
            this.settings.securityLevel,
            people.length,
          );
    this.verification.start(people, threshold, target, {
      onEnd: (flow) => void this.verificationEnded(flow),
    });
    this.mode = 'verify';
    return true;
  }

  /** An attempt ended (verdict or time-out, from a frame or the flow's timer). */
  private async verificationEnded(flow: VerificationFlow): Promise<void> {
    if (this.mode === 'verify') this.mode = 'none';
    const spoof = flow.status === 'timed_out' && flow.stopReason === 'not_live';
    // Any other time-out saw no usable face: it is neither an accept nor a rejection of anyone.
    if (flow.status === 'timed_out' && !spoof) return;
    const outcome = flow.status === 'accepted' ? 'accepted' : spoof ? 'not_live' : 'rejected';
    try {
      await recordAttempt({
        at: Date.now(),
        outcome,
        mode: flow.mode,
        personId: flow.result?.id ?? null,
      });
      if (outcome === 'accepted' && flow.result) {
        await this.vault.openWithFace(flow.result);
        this.armLockTimer();
      } else {
        const lockout = await this.vault.failure();
        this.attemptAllowedAt = performance.now() + Math.min(waitMs(lockout, Date.now()), 1e9);
        if (lockout.lockedOut) {
          this.finetune.forget();
          this.people = [];
        }
      }
      announceChange({ kind: 'lockout' });
    } catch (e) {
      this.notice = `The unlock attempt could not be recorded: ${message(e)}`;
    }
  }

  /**
   * The camera stopped by itself (unplugged, taken by another app). An unlock attempt ends with
   * the reason; an enrollment drops its views (nothing was saved) and starts over when the
   * camera's Try again brings it back.
   */
  private cameraStopped(why: string): void {
    if (this.mode === 'verify') this.verification.cameraStopped(why);
    if (this.mode === 'enroll' && this.enrollment.status === 'capturing') {
      const had = this.enrollment.samples.length;
      this.enrollment.restart();
      this.notice = `${why} The enrollment stopped${had ? ` after ${had} of ${ENROLL_STEPS.length} views` : ''}; nothing was saved. It starts again from the first view when the camera is back.`;
    }
  }

  /** A frame analysed (and embedded, when a flow asked) by the pipeline worker. */
  private handleFrame({ analysis, embedding }: CameraFrame): void {
    if (this.mode === 'none' || !this.engine) return;
    if (this.mode === 'verify') {
      // Tallies the frame (and breaks the run when it failed the gate); may end the attempt.
      this.verification.frame(analysis);
      if (this.verification.status !== 'looking') return;
    }
    if (this.mode === 'enroll') {
      // As at unlock, liveness reads only frames the quality gate lets through.
      this.enrollment.observe(
        performance.now(),
        analysis.quality.ok ? (analysis.mesh?.points ?? null) : null,
      );
    }
    if (!analysis.quality.ok || !analysis.crop || !embedding) return;
    // Enrollment keeps only frames that show the view it asks for (enroll-guidance.ts).
    if (this.mode === 'enroll' && !this.enrollment.wants(analysis.quality, performance.now()))
      return;
    if (this.mode === 'enroll') void this.enrollFrame(analysis.crop, embedding, analysis);
    else if (this.mode === 'verify') {
      // An ended attempt ignores it; the flow's onEnd logs and unlocks.
      this.verification.push(this.finetune.adapt(embedding));
    }
  }

  private async enrollFrame(
    crop: ImageData,
    embedding: Float32Array,
    analysis: CameraFrame['analysis'],
  ): Promise<void> {
    try {
      const thumb =
        this.settings.storeThumbnails && this.enrollment.samples.length === 0
          ? await cropToBlob(crop)
          : null;
      if (this.mode !== 'enroll') return;
      this.enrollment.offer(embedding, analysis.quality.pose, performance.now(), {
        thumbnail: thumb,
        crop: this.settings.keepCrops
          ? { width: crop.width, height: crop.height, data: crop.data }
          : null,
      });
      if (this.enrollment.samples.length >= ENROLL_STEPS.length) {
        this.mode = 'none';
        this.enrollment.finishCapture(this.enrolled(), this.threshold, this.reenrollId ?? undefined);
      }
    } catch (e) {
      this.notice = `Face processing failed: ${message(e)}`;
    }
  }

  async saveEnrollment(name: string): Promise<boolean> {
    const engine = this.engine;
    if (!engine || !this.mayManage()) return false;
    const key = this.vault.key();
    this.enrollment.status = 'saving';
    try {
      const crops =
        this.enrollment.crops.length === this.enrollment.samples.length
          ? this.enrollment.crops
          : undefined;
      if (this.reenrollId) {
        await replaceSamples(key, this.reenrollId, this.enrollment.samples, crops ? { crops } : {});
      } else {
        await addPerson(key, {
          name,
          modelId: engine.manifest.id,
          samples: this.enrollment.samples,
          thumbnail: this.enrollment.thumbnails[0] ?? null,
          ...(crops ? { crops } : {}),
        });
      }
      announceChange({ kind: 'people' });
      await this.reloadPeople();
      this.enrollment.status = 'done';
      void this.startFinetune(true);
      return true;
    } catch (e) {
      this.enrollment.status = 'naming';
      this.notice = e instanceof StoreError ? e.message : `Nothing was saved: ${message(e)}`;
      return false;
    }
  }

  async rename(id: string, name: string): Promise<void> {
    if (!this.mayManage()) return;
    try {
      await renamePerson(id, name);
      announceChange({ kind: 'people' });
      await this.reloadPeople();
    } catch (e) {
      this.notice = message(e);
    }
  }

  async remove(id: string): Promise<void> {
    if (!this.mayManage()) return;
    try {
      this.finetune.cancel(false);
      await deletePerson(id);
      announceChange({ kind: 'people' });
      const by = this.vault.openedBy;
      if (by?.kind === 'face' && by.id === id) this.lock();
      await this.reloadPeople();
      void this.startFinetune(true);
    } catch (e) {
      this.notice = message(e);
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
    if (!this.mayManage()) return null;
    if (passphrase !== confirm) {
      this.notice = 'The two passphrases for the file differ; nothing was exported.';
      return null;
    }
    const problem = passphraseProblem(passphrase);
    if (problem) {
      this.notice = `${problem} The file is encrypted with it; nothing was exported.`;
      return null;
    }
    const engine = await this.ensureEngine();
    if (!engine) return null;
    try {
      const people = (await listPeopleWithSamples(this.vault.key())).filter(
        (p) => p.person.modelId === engine.manifest.id,
      );
      // A one-off file name, not reactive state.
      // eslint-disable-next-line svelte/prefer-svelte-reactivity
      const date = new Date().toISOString().slice(0, 10);
      const text = await sealExport(exportData(people, engine.manifest.id), passphrase);
      return { name: `facegate-people-${date}.json`, text };
    } catch (e) {
      this.notice = message(e);
      return null;
    }
  }

  /** Checks the whole file first; a file that fails any check changes nothing. */
  async importPeople(file: Blob, passphrase: string, replace: boolean): Promise<number> {
    if (!this.mayManage()) return 0;
    if (file.size > IMPORT_MAX_BYTES) {
      this.notice = `Nothing was imported: the file is ${(file.size / 1024 / 1024).toFixed(1)} MB, more than a facegate backup can be (${IMPORT_MAX_BYTES / 1024 / 1024} MB).`;
      return 0;
    }
    const engine = await this.ensureEngine();
    if (!engine) return 0;
    try {
      const text = await openExport(await file.text(), passphrase);
      const parsed = parseExport(text, {
        modelId: engine.manifest.id,
        dim: engine.manifest.embedding.dim,
      });
      const count = await importData(this.vault.key(), parsed, { replace });
      announceChange({ kind: 'people' });
      await this.reloadPeople();
      void this.startFinetune(true);
      this.notice = `Imported ${count} ${count === 1 ? 'person' : 'people'}.`;
      return count;
    } catch (e) {
      this.notice =
        e instanceof ImportError
          ? `Nothing was imported: ${e.message}`
          : `Nothing was imported: ${message(e)}`;
      return 0;
    }
  }

  async removeEveryone(): Promise<void> {
    if (!this.mayManage()) return;
    try {
      this.finetune.cancel(false);
      await deleteAll();
      announceChange({ kind: 'people' });
      await this.reloadPeople();
    } catch (e) {
      this.notice = message(e);
    }
  }

  async setSecurityLevel(level: SecurityLevel): Promise<void> {
    await this.updateSetting('securityLevel', level);
  }

  /** Settings change only with the vault open (firstRunDone excepted: it guards nothing). */
  async updateSetting<K extends keyof Settings>(key: K, value: Settings[K]): Promise<void> {
    if (key !== 'firstRunDone' && !this.mayManage()) return;
    try {
      // Turning a kind of kept face data off deletes what was kept, before saying it is off.
      if (key === 'storeThumbnails' && value === false) await dropThumbnails();
      if (key === 'keepCrops' && value === false) await dropCrops(this.vault.key());
      await setSetting(key, value);
      this.settings = { ...this.settings, [key]: value };
      announceChange({ kind: 'settings' });
      if (key === 'storeThumbnails' || key === 'keepCrops') await this.reloadPeople();
    } catch (e) {
      this.notice = message(e);
    }
  }

  /** Any activity in the open vault keeps it open; idleness locks it. */
  armLockTimer(): void {
    if (this.lockTimer) clearTimeout(this.lockTimer);
    this.lockTimer = null;
    if (!this.vault.isOpen) return;
    this.lockTimer = setTimeout(() => this.idleLock(), this.settings.lockTimeoutSeconds * 1000);
  }

  /** An enrollment in progress counts as activity: the camera is busy, no key is pressed. */
  private idleLock(): void {
    const enrolling =
      this.mode === 'enroll' ||
      this.enrollment.status === 'naming' ||
      this.enrollment.status === 'saving';
    if (enrolling) this.armLockTimer();
    else this.lock();
  }

  /** Locks the vault (the face opens it again); management screens close. */
  lock(): void {
    if (this.lockTimer) clearTimeout(this.lockTimer);
    this.lockTimer = null;
    this.vault.lock();
    if (this.mode === 'enroll') this.mode = 'none';
  }
}
