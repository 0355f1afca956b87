import type { BackendName } from '../embedding/backend';
import { FaceEngine } from '../embedding/face-engine';
import type { SecurityLevel } from '../math/match';
import { openFacegateDb, StoreError } from '../store/db';
import {
  addPerson,
  deleteAll,
  deletePerson,
  importData,
  listPeople,
  listPeopleWithSamples,
  renamePerson,
  replaceSamples,
} from '../store/people';
import { exportData, ImportError, parseExport } from '../store/export-format';
import { recordAttempt } from '../store/attempts';
import type { PersonRecord, PersonWithSamples } from '../store/schema';
import { getSettings, setSetting, SETTING_DEFAULTS, type Settings } from '../store/settings';
import type { FrameAnalysis } from '../vision/frame-analysis';
import { CameraSession } from './camera.svelte';
import { EnrollmentFlow, ENROLL_STEPS } from './enrollment.svelte';
import { identifyThreshold } from '../math/open-set';
import { FinetuneController } from './finetune.svelte';
import { VerificationFlow } from './verification.svelte';

export type Screen = 'unlock' | 'enroll' | 'people' | 'settings' | 'camera' | 'help';
export const SCREENS: readonly Screen[] = [
  'unlock',
  'enroll',
  'people',
  'settings',
  'camera',
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
  engine = $state.raw<FaceEngine | null>(null);
  engineStatus = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  engineError = $state<string | null>(null);
  people = $state.raw<PersonRecord[]>([]);
  settings = $state<Settings>({ ...SETTING_DEFAULTS });
  /** Storage problems and other app-wide messages, shown in a banner. */
  notice = $state<string | null>(null);
  unlockedAs = $state<{ id: string; name: string } | null>(null);
  /** Which flow the camera frames go to. */
  mode = $state<'none' | 'enroll' | 'verify'>('none');
  /** Re-enrolling this person (their samples are replaced), or null for a new person. */
  reenrollId = $state<string | null>(null);
  private busy = false;
  private engineLoad: Promise<FaceEngine | null> | null = null;
  private lockTimer: ReturnType<typeof setTimeout> | null = null;

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
    this.camera.onFrame((analysis) => void this.handleFrame(analysis));
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
    this.people = await listPeople();
    await this.refreshFinetune();
  }

  /** Loads the stored fine-tune if it still fits the current model and samples. */
  private async refreshFinetune(): Promise<PersonWithSamples[]> {
    const modelId = this.engine?.manifest.id;
    if (!modelId) return [];
    const people = await listPeopleWithSamples();
    await this.finetune.refresh(modelId, people);
    return people;
  }

  /**
   * Fine-tunes for everyone enrolled with the current model. `auto` runs honour the setting and
   * skip when the stored fine-tune already fits the current people.
   */
  async startFinetune(auto = false): Promise<void> {
    if (auto && !this.settings.autoFinetune) return;
    const engine = await this.ensureEngine();
    if (!engine) return;
    try {
      const people = await this.refreshFinetune();
      const enrolled = people.filter((p) => p.person.modelId === engine.manifest.id);
      if (enrolled.length === 0) return;
      if (auto && this.finetune.record) return;
      const outcome = await this.finetune.run({
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
  ensureEngine(): Promise<FaceEngine | null> {
    this.engineLoad ??= (async () => {
      this.engineStatus = 'loading';
      try {
        this.engine = await FaceEngine.load(import.meta.env.BASE_URL);
        await this.refreshFinetune().catch((e: unknown) => {
          this.notice = `The fine-tuned model could not be read; using the shipped one: ${message(e)}`;
        });
        this.engineStatus = 'ready';
        // A fine-tune cut short by closing the tab (or never run for these people) starts again.
        if (this.settings.autoFinetune && !this.finetune.record && this.people.length > 0) {
          void this.startFinetune(true);
        }
        return this.engine;
      } catch (e) {
        this.engineStatus = 'error';
        this.engineError = message(e);
        return null;
      }
    })();
    return this.engineLoad;
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
    this.reenrollId = reenrollId;
    this.enrollment.restart();
    this.mode = 'enroll';
  }

  startVerification(targetId: string | null = null): void {
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
      onEnd: (flow) => this.verificationEnded(flow),
    });
    this.mode = 'verify';
  }

  /** An attempt ended (verdict or time-out, from a frame or the flow's timer). */
  private verificationEnded(flow: VerificationFlow): void {
    if (this.mode === 'verify') this.mode = 'none';
    // A time-out matched nothing: it is neither an accept nor a rejection of anyone.
    if (flow.status === 'timed_out') return;
    void recordAttempt({
      at: Date.now(),
      outcome: flow.status === 'accepted' ? 'accepted' : 'rejected',
      mode: flow.mode,
      personId: flow.result?.id ?? null,
    }).catch((e: unknown) => {
      this.notice = `The unlock attempt could not be logged: ${message(e)}`;
    });
    if (flow.status === 'accepted' && flow.result) this.unlock(flow.result);
  }

  private async handleFrame(analysis: FrameAnalysis): Promise<void> {
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
    if (!analysis.quality.ok || !analysis.crop) return;
    // Enrollment embeds only frames that show the view it asks for (enroll-guidance.ts).
    if (this.mode === 'enroll' && !this.enrollment.wants(analysis.quality, performance.now()))
      return;
    if (this.busy) return;
    this.busy = true;
    try {
      const crop = analysis.crop;
      const embedding = await this.engine.embed(crop);
      if (this.mode === 'enroll') {
        const thumb =
          this.settings.storeThumbnails && this.enrollment.samples.length === 0
            ? await cropToBlob(crop)
            : null;
        this.enrollment.offer(embedding, analysis.quality.pose, performance.now(), {
          thumbnail: thumb,
          crop: { width: crop.width, height: crop.height, data: crop.data },
        });
        if (this.enrollment.samples.length >= ENROLL_STEPS.length) {
          this.mode = 'none';
          this.enrollment.finishCapture(
            this.enrolled(),
            this.threshold,
            this.reenrollId ?? undefined,
          );
        }
      } else if (this.mode === 'verify') {
        // An ended attempt ignores it; the flow's onEnd logs and unlocks.
        this.verification.push(this.finetune.adapt(embedding));
      }
    } catch (e) {
      this.notice = `Face processing failed: ${message(e)}`;
    } finally {
      this.busy = false;
    }
  }

  async saveEnrollment(name: string): Promise<boolean> {
    const engine = this.engine;
    if (!engine) return false;
    this.enrollment.status = 'saving';
    try {
      const crops =
        this.enrollment.crops.length === this.enrollment.samples.length
          ? this.enrollment.crops
          : undefined;
      if (this.reenrollId) {
        await replaceSamples(this.reenrollId, this.enrollment.samples, crops ? { crops } : {});
      } else {
        await addPerson({
          name,
          modelId: engine.manifest.id,
          samples: this.enrollment.samples,
          thumbnail: this.enrollment.thumbnails[0] ?? null,
          ...(crops ? { crops } : {}),
        });
      }
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
    try {
      await renamePerson(id, name);
      await this.reloadPeople();
    } catch (e) {
      this.notice = message(e);
    }
  }

  async remove(id: string): Promise<void> {
    try {
      this.finetune.cancel(false);
      await deletePerson(id);
      if (this.unlockedAs?.id === id) this.lock();
      await this.reloadPeople();
      void this.startFinetune(true);
    } catch (e) {
      this.notice = message(e);
    }
  }

  /** A versioned JSON file of everyone enrolled with the current model (no photos). */
  async exportPeople(): Promise<{ name: string; text: string } | null> {
    const engine = await this.ensureEngine();
    if (!engine) return null;
    try {
      const people = (await listPeopleWithSamples()).filter(
        (p) => p.person.modelId === engine.manifest.id,
      );
      // A one-off file name, not reactive state.
      // eslint-disable-next-line svelte/prefer-svelte-reactivity
      const date = new Date().toISOString().slice(0, 10);
      return { name: `facegate-people-${date}.json`, text: exportData(people, engine.manifest.id) };
    } catch (e) {
      this.notice = message(e);
      return null;
    }
  }

  /** Checks the whole file first; a file that fails any check changes nothing. */
  async importPeople(text: string, replace: boolean): Promise<number> {
    const engine = await this.ensureEngine();
    if (!engine) return 0;
    try {
      const parsed = parseExport(text, {
        modelId: engine.manifest.id,
        dim: engine.manifest.embedding.dim,
      });
      const count = await importData(parsed, { replace });
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
    try {
      this.finetune.cancel(false);
      await deleteAll();
      this.lock();
      await this.reloadPeople();
    } catch (e) {
      this.notice = message(e);
    }
  }

  async setSecurityLevel(level: SecurityLevel): Promise<void> {
    await this.updateSetting('securityLevel', level);
  }

  async updateSetting<K extends keyof Settings>(key: K, value: Settings[K]): Promise<void> {
    try {
      await setSetting(key, value);
      this.settings = { ...this.settings, [key]: value };
    } catch (e) {
      this.notice = message(e);
    }
  }

  unlock(person: { id: string; name: string }): void {
    this.unlockedAs = { id: person.id, name: person.name };
    this.armLockTimer();
  }

  /** Any activity in the vault keeps it open; idleness locks it. */
  armLockTimer(): void {
    if (this.lockTimer) clearTimeout(this.lockTimer);
    this.lockTimer = setTimeout(() => this.lock(), this.settings.lockTimeoutSeconds * 1000);
  }

  lock(): void {
    if (this.lockTimer) clearTimeout(this.lockTimer);
    this.lockTimer = null;
    this.unlockedAs = null;
  }
}
