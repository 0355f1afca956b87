import type { BackendName } from '../embedding/backend';
import { pipeline, type EngineInfo } from '../pipeline/frame-pipeline.svelte';
import { identifyThreshold } from '../math/open-set';
import { waitMs } from '../security/lockout';
import { recordAttempt } from '../store/attempts';
import { announceChange } from '../store/changes';
import type { CameraFrame, CameraSession } from './camera.svelte';
import { EnrollmentFlow, ENROLL_STEPS } from './enrollment.svelte';
import { errorText } from './error-text';
import type { FinetuneController } from './finetune.svelte';
import { mayManage } from './manage-gate';
import type { Notices } from './notices.svelte';
import type { FaceModel, People } from './people.svelte';
import type { Router } from './router.svelte';
import type { AppSettings } from './settings.svelte';
import type { VaultAccess } from './vault-access';
import type { VaultSession } from './vault.svelte';
import type { VaultLock } from './vault-lock';
import { OPEN_DEADLINE_MS, VerificationFlow } from './verification.svelte';
import { DeadlineError, withDeadline } from '../deadline';
import { shouldEmbed, type EmbedAsk } from '../decisions/embed-policy';
import type { FrameAnalysis } from '../vision/frame-analysis';

async function cropToBlob(crop: ImageData): Promise<Blob | null> {
  const canvas = new OffscreenCanvas(crop.width, crop.height);
  canvas.getContext('2d')?.putImageData(crop, 0, 0);
  return canvas.convertToBlob({ type: 'image/jpeg', quality: 0.85 });
}

export interface FaceSessionDeps {
  router: Router;
  notices: Notices;
  vault: VaultSession;
  access: VaultAccess;
  lock: VaultLock;
  settings: AppSettings;
  people: People;
  finetune: FinetuneController;
  camera: CameraSession;
}

/**
 * The face model and what the camera's frames feed: loading the backbone (and moving it off a
 * lost GPU), unlock attempts, enrollment captures and the on-device fine-tune.
 */
export class FaceSession implements FaceModel {
  readonly enrollment = new EnrollmentFlow();
  readonly verification = new VerificationFlow();
  /** The backend in use after a lost GPU moved the page (null: the one the probe chose). */
  backendNote = $state<string | null>(null);
  /** When the next face attempt may start (performance.now() time), after failures in a row. */
  attemptAllowedAt = $state(0);
  /** Which flow the camera frames go to. */
  mode = $state<'none' | 'enroll' | 'verify'>('none');
  /** Re-enrolling this person (their samples are replaced), or null for a new person. */
  reenrollId = $state<string | null>(null);
  readonly #notices: Notices;
  readonly #vault: VaultSession;
  readonly #lock: VaultLock;
  readonly #settings: AppSettings;
  readonly #people: People;
  readonly #finetune: FinetuneController;
  private engineLoad: Promise<EngineInfo | null> | null = null;
  /** An enrollment view being stored (see handleFrame). */
  private offering = false;
  /**
   * For the benchmark (scripts/bench.ts, in the facegate:decision mark): this attempt's analysed
   * and embedded frames, and when its first and last analysed frames came (performance.now()).
   */
  private attemptFrames = { analysed: 0, embedded: 0, firstAt: 0, lastAt: 0 };

  constructor(deps: FaceSessionDeps) {
    this.#notices = deps.notices;
    this.#vault = deps.vault;
    this.#lock = deps.lock;
    this.#settings = deps.settings;
    this.#people = deps.people;
    this.#finetune = deps.finetune;
    deps.people.useModel(this);
    deps.camera.onFrame((frame) => this.handleFrame(frame));
    deps.camera.onEmbedding((frame) => this.handleEmbedding(frame));
    // Unlock and enrollment both embed the crop with its mirror image (one batch of two): without
    // the mirror at unlock LFW lost 0.07 points, more than the 0.05 this would be worth
    // (npm run eval-flip, docs/BENCHMARKS.md). Only the frames a decision needs are embedded;
    // every frame is analysed (decisions/embed-policy.ts).
    deps.camera.wantsEmbedding = (analysis) => this.wantsEmbedding(analysis);
    deps.camera.onStopped((why) => this.cameraStopped(why));
    deps.router.onChange((from) => {
      // An attempt belongs to the screen it started on: any move ends it.
      this.cancelAttempt();
      if (from === 'enroll') this.cancelEnrollment();
    });
    deps.lock.holdOpenWhile(() => this.enrolling);
    deps.finetune.holdWhile(() => this.capturing);
    deps.lock.onLock(() => {
      if (this.mode === 'enroll') this.mode = 'none';
    });
    deps.access.onOpened(() => this.openedBySecret());
  }

  /** A face is being read for a decision: an unlock attempt looking, an enrollment taking views. */
  get capturing(): boolean {
    return (
      (this.mode === 'verify' && this.verification.status === 'looking') ||
      (this.mode === 'enroll' && this.enrollment.status === 'capturing')
    );
  }

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

  /** The 1:1 threshold of the chosen security level (no model: nothing matches). */
  get threshold(): number {
    return this.engine
      ? this.engine.manifest.thresholds[this.#settings.values.securityLevel]
      : Number.POSITIVE_INFINITY;
  }

  /** An enrollment in progress: the camera is busy although no key is pressed. */
  get enrolling(): boolean {
    return (
      this.mode === 'enroll' ||
      this.enrollment.status === 'naming' ||
      this.enrollment.status === 'saving'
    );
  }

  /** Loads the models once, on the first screen that needs them; every caller gets the same load. */
  ensureEngine(): Promise<EngineInfo | null> {
    this.engineLoad ??= (async () => {
      pipeline.onBackendLost((lost, now, why) => this.backendLost(lost, now, why));
      const engine = await pipeline.start(import.meta.env.BASE_URL);
      if (!engine) return null;
      await this.#people.refreshFinetune().catch((e: unknown) => {
        this.#notices.show(
          `The fine-tuned model could not be read; using the shipped one: ${errorText(e)}`,
        );
      });
      // A fine-tune cut short by closing the tab (or never run for these people) starts again.
      if (
        this.#settings.values.autoFinetune &&
        !this.#finetune.record &&
        this.#people.list.length > 0
      ) {
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
      this.#notices.show(
        `The graphics processor stopped responding (${lost} lost its context); face processing carries on with ${now}, a little slower. Reload the page to try the graphics processor again.`,
      );
    } else {
      this.#notices.show(
        `The graphics processor stopped and no other engine works: ${why} Reload the page.`,
      );
    }
  }

  /** People enrolled with the current model (embeddings of another model are not comparable). */
  enrolled() {
    const modelId = this.engine?.manifest.id;
    return this.#people.list.filter((p) => p.modelId === modelId);
  }

  /** The enrolled people as verification sees them: fine-tuned templates when a fine-tune is in use. */
  matchable() {
    return this.enrolled().map((p) => {
      const tuned = this.#finetune.templateFor(p.id);
      const norm = this.#finetune.normFor(p.id);
      return { ...p, template: tuned ?? p.template, norm };
    });
  }

  /**
   * Fine-tunes for everyone enrolled with the current model. `auto` runs honour the setting and
   * skip when the stored fine-tune already fits the current people.
   */
  async startFinetune(auto = false): Promise<void> {
    if (auto && !this.#settings.values.autoFinetune) return;
    const engine = await this.ensureEngine();
    if (!engine || !this.#vault.hasKey) return;
    try {
      const people = await this.#people.refreshFinetune();
      const enrolled = people.filter((p) => p.person.modelId === engine.manifest.id);
      if (enrolled.length === 0) return;
      if (auto && this.#finetune.record) return;
      const outcome = await this.#finetune.run({
        key: this.#vault.key(),
        modelId: engine.manifest.id,
        baseUrl: import.meta.env.BASE_URL,
        backend: engine.backend,
        threshold: engine.manifest.thresholds[this.#settings.values.securityLevel],
        people: enrolled,
      });
      // People changed while it ran, so the result was not stored: train for the new set.
      if (outcome === 'stale') await this.startFinetune(true);
      else await this.#people.refreshFinetune();
    } catch (e) {
      this.#notices.show(`Fine-tuning could not start: ${errorText(e)}`);
    }
  }

  /** The passphrase or the authenticator opened the vault: face attempts may start at once. */
  private openedBySecret(): void {
    this.attemptAllowedAt = 0;
    if (
      this.engine &&
      this.#settings.values.autoFinetune &&
      !this.#finetune.record &&
      this.#people.list.length
    ) {
      void this.startFinetune(true);
    }
  }

  /**
   * Starts capturing an enrollment: of a new person, or new samples for `personId` (re-enroll).
   * The Enroll screen's leaving cancels it (cancelEnrollment).
   */
  startEnrollment(personId: string | null = null): void {
    if (!mayManage(this.#vault, this.#notices)) return;
    this.reenrollId = personId;
    this.enrollment.restart();
    this.mode = 'enroll';
  }

  /**
   * Left the Enroll screen: frames stop feeding the capture. A re-enroll not yet saved is dropped
   * with its samples (they must not become a new person's); a new person's capture or naming
   * waits for the screen's return, as it was.
   */
  private cancelEnrollment(): void {
    if (this.mode === 'enroll') this.mode = 'none';
    if (this.reenrollId === null) return;
    this.reenrollId = null;
    const status = this.enrollment.status;
    if (status === 'capturing' || status === 'naming') this.enrollment.restart();
  }

  private cancelAttempt(): void {
    if (this.mode === 'verify') this.mode = 'none';
    this.verification.cancel();
  }

  /**
   * Starts a face attempt unless the lockout forbids it (read fresh: another tab may have
   * failed meanwhile). Returns false, with the reason shown, when it did not start.
   */
  async startVerification(targetId: string | null = null): Promise<boolean> {
    const lockout = await this.#vault.refreshLockout();
    if (lockout.lockedOut || !this.#vault.hasKey) {
      // Locked out (perhaps by another tab): the key is gone, the screen asks for the secret.
      this.mode = 'none';
      await this.#people.reload();
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
            this.#settings.values.securityLevel,
            people.length,
          );
    this.attemptFrames = { analysed: 0, embedded: 0, firstAt: 0, lastAt: 0 };
    this.verification.start(people, threshold, target, {
      onEnd: (flow) => void this.verificationEnded(flow),
    });
    this.mode = 'verify';
    return true;
  }

  /** An attempt ended (verdict or time-out, from a frame or the flow's timer). */
  private async verificationEnded(flow: VerificationFlow): Promise<void> {
    // For the benchmark (scripts/bench.ts): when the decision came, and which.
    const counted = this.attemptFrames;
    performance.mark('facegate:decision', {
      detail: {
        status: flow.status,
        reason: flow.stopReason ?? null,
        analysedFrames: counted.analysed,
        embeddedFrames: counted.embedded,
        analysedMs: counted.analysed > 1 ? counted.lastAt - counted.firstAt : 0,
      },
    });
    if (this.mode === 'verify') this.mode = 'none';
    const spoof = flow.status === 'timed_out' && flow.stopReason === 'not_live';
    // Any other time-out saw no usable face: it is neither an accept nor a rejection of anyone.
    if (flow.status === 'timed_out' && !spoof) return;
    const outcome = flow.status === 'accepted' ? 'accepted' : spoof ? 'not_live' : 'rejected';
    const record = async () => {
      await recordAttempt({
        at: Date.now(),
        outcome,
        mode: flow.mode,
        personId: flow.result?.id ?? null,
      });
      if (outcome === 'accepted' && flow.result) {
        await this.#vault.openWithFace(flow.result);
        this.#lock.arm();
      } else {
        const lockout = await this.#vault.failure();
        this.attemptAllowedAt = performance.now() + Math.min(waitMs(lockout, Date.now()), 1e9);
        if (lockout.lockedOut) this.#people.forget();
      }
      announceChange({ kind: 'lockout' });
    };
    try {
      // An accept must end in an open vault or a stop with its reason, never in "Recognised"
      // that waits forever (a stuck database on a loaded machine was seen to do that).
      await withDeadline(record(), OPEN_DEADLINE_MS);
    } catch (e) {
      const why =
        e instanceof DeadlineError
          ? 'The vault took too long to open on this device.'
          : `The vault could not be opened: ${errorText(e)}`;
      if (flow.status === 'accepted') flow.openFailed(`${why} Try again.`);
      else this.#notices.show(`The unlock attempt could not be recorded: ${errorText(e)}`);
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
      this.#notices.show(
        `${why} The enrollment stopped${had ? ` after ${had} of ${ENROLL_STEPS.length} views` : ''}; nothing was saved. It starts again from the first view when the camera is back.`,
      );
    }
  }

  /**
   * Each analysed camera frame, embedded by the pipeline worker when a flow asked and it passed
   * the quality gate: to the unlock attempt or the enrollment.
   */
  /** Asked by the camera for each analysed frame, before handleFrame: run the backbone on it? */
  private wantsEmbedding(analysis: FrameAnalysis): boolean {
    const now = performance.now();
    const ask: EmbedAsk =
      this.mode === 'verify'
        ? { mode: 'verify', wants: () => this.verification.wantsEmbedding() }
        : this.mode === 'enroll'
          ? {
              mode: 'enroll',
              wants: () => !this.offering && this.enrollment.wants(analysis.quality, now),
            }
          : { mode: 'none' };
    return shouldEmbed(ask, analysis.quality.ok && analysis.crop !== null);
  }

  private handleFrame({ analysis, embedding, takenAt }: CameraFrame): void {
    if (this.mode === 'none' || !this.engine) return;
    if (this.mode === 'verify' && this.verification.status === 'looking') {
      const counted = this.attemptFrames;
      const now = performance.now();
      if (counted.analysed === 0) counted.firstAt = now;
      counted.lastAt = now;
      counted.analysed += 1;
    }
    if (this.mode === 'verify') {
      // Tallies the frame (and breaks the run when it failed the gate); may end the attempt.
      this.verification.frame(analysis, takenAt);
      if (this.verification.status !== 'looking') return;
    }
    if (this.mode === 'enroll') {
      // As at unlock, liveness reads only frames the quality gate lets through.
      this.enrollment.observe(
        takenAt,
        analysis.quality.ok ? (analysis.mesh?.points ?? null) : null,
        analysis.quality.pose,
      );
    }
    if (embedding) this.handleEmbedding({ analysis, embedding, takenAt }, false);
  }

  /**
   * One frame's embedding: with the frame itself, or `late`, from the embedder worker a few frames
   * after the frame went through handleFrame (camera.onEmbedding).
   */
  private handleEmbedding(
    { analysis, embedding, takenAt }: CameraFrame & { embedding: Float32Array },
    late = true,
  ): void {
    if (this.mode === 'none' || !this.engine) return;
    if (!analysis.quality.ok || !analysis.crop) return;
    if (this.mode === 'verify') {
      if (this.verification.status !== 'looking') return;
      // Not a frame of another attempt, nor of a face that has since left or been swapped.
      if (late && !this.verification.takesLate(takenAt)) return;
      this.attemptFrames.embedded += 1;
    }
    // Enrollment keeps only frames that show the view it asks for (enroll-guidance.ts).
    if (this.mode === 'enroll' && !this.enrollment.wants(analysis.quality, performance.now()))
      return;
    // One view at a time: a frame that comes while the last one is stored (its photo encoded) is
    // skipped, so views are taken in order.
    if (this.mode === 'enroll') {
      if (this.offering) return;
      this.offering = true;
      void this.enrollFrame(analysis.crop, embedding, analysis).finally(() => {
        this.offering = false;
      });
    } else if (this.mode === 'verify') {
      // A frame of the head turned to answer the request is not matched (nor does it break a run).
      if (this.verification.turning) return;
      // An ended attempt ignores it; the flow's onEnd logs and unlocks.
      this.verification.push(this.#finetune.adapt(embedding));
    }
  }

  private async enrollFrame(
    crop: ImageData,
    embedding: Float32Array,
    analysis: CameraFrame['analysis'],
  ): Promise<void> {
    try {
      const thumb =
        this.#settings.values.storeThumbnails && this.enrollment.samples.length === 0
          ? await cropToBlob(crop)
          : null;
      if (this.mode !== 'enroll') return;
      this.enrollment.offer(embedding, analysis.quality.pose, performance.now(), {
        thumbnail: thumb,
        crop: this.#settings.values.keepCrops
          ? { width: crop.width, height: crop.height, data: crop.data }
          : null,
      });
      if (this.enrollment.samples.length >= ENROLL_STEPS.length) {
        this.mode = 'none';
        this.enrollment.finishCapture(
          this.enrolled(),
          this.threshold,
          this.reenrollId ?? undefined,
        );
      }
    } catch (e) {
      this.#notices.show(`Face processing failed: ${errorText(e)}`);
    }
  }

  /** Stores the captured enrollment (a new person named `name`, or the re-enrolled one's samples). */
  saveEnrollment(name: string): Promise<boolean> {
    return this.#people.saveEnrollment(this.enrollment, name, this.reenrollId);
  }
}
