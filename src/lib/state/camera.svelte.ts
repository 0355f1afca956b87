import {
  attachCamera,
  CameraError,
  closeCamera,
  isLive,
  requestCamera,
  CAMERA_MESSAGES,
} from '../vision/camera';
import type { FrameAnalysis } from '../vision/frame-analysis';
import { RollingStats } from '../math/rolling-stats';
import { pipeline } from '../pipeline/frame-pipeline.svelte';

export type CameraStatus = 'idle' | 'loading' | 'running' | 'error';

/** One analysed frame, as the flows get it. */
export interface CameraFrame {
  analysis: FrameAnalysis;
  /** Present when a flow asked for it (wantsEmbedding) and the frame passed the quality gate. */
  embedding: Float32Array | null;
  /**
   * performance.now() when the frame was taken from the video. Movement is timed by it: a frame
   * that ran the backbone reaches the flows later after being taken than one that did not.
   */
  takenAt: number;
}

export type FrameListener = (frame: CameraFrame, video: HTMLVideoElement) => void;
export type EmbeddingListener = (frame: CameraFrame & { embedding: Float32Array }) => void;

/** Called when the camera stops by itself; `message` is the text the camera view shows. */
export type CameraStoppedListener = (message: string) => void;

let readyMarked = false;

/** How often the frame watchdog looks, and how long without a frame counts as a stopped camera. */
const WATCHDOG_MS = 1000;
const STALL_MS = 6000;

/**
 * Owns the camera and the per-frame loop; the analysis runs in the frame-pipeline worker
 * (src/lib/pipeline), and screens only read this session's fields. The camera starts at once,
 * while the models are still loading: frames flow to the pipeline once it is ready.
 *
 * Every screen shares this one session, and each screen's CameraView has its own <video>. On a
 * screen switch the arriving view's start(video) and the leaving view's stop(video) may come in
 * either order, so:
 * - the video that called start() last owns the session; stop(video) from any other video does
 *   nothing (the leaving view cannot stop the arriving view's camera);
 * - each start or stop begins a new generation; the work they ask for (open, show, release) runs
 *   one step at a time, and a step whose generation is no longer current gives up without
 *   touching anything (a stale start that finishes after a newer one is discarded);
 * - a stream that is still live is handed to the new video instead of being closed and reopened.
 *
 * The camera can also stop by itself (unplugged, taken by another app, no frame for STALL_MS):
 * then status becomes 'error' with CAMERA_MESSAGES.stopped, the view's Try again restarts it, and
 * onStopped listeners are told.
 */
export class CameraSession {
  status = $state<CameraStatus>('idle');
  error = $state<string | null>(null);
  analysis = $state.raw<FrameAnalysis | null>(null);
  fps = $state(0);
  detectMs = $state(0);
  landmarkMs = $state(0);
  alignMs = $state(0);
  /** Median backbone time over the recent frames that ran it (most frames do not). */
  embedMs = $state(0);
  /** Median time from taking a frame to its result on this thread (the whole pipeline). */
  frameMs = $state(0);
  frameSize = $state({ width: 0, height: 0 });

  /**
   * Whether a flow wants this analysed frame embedded (set by whoever feeds the flows; asked once
   * per analysed frame, before the listeners see it: decisions/embed-policy.ts).
   */
  wantsEmbedding: (analysis: FrameAnalysis) => boolean = () => false;

  private stream: MediaStream | null = null;
  /** False until the first analysed frame of a stream: the worker then forgets the old face. */
  private tracking = false;
  /** The video whose view called start() last and has not stopped. */
  private owner: HTMLVideoElement | null = null;
  /** The video the stream is shown in (lags `owner` while a handover is queued). */
  private attached: HTMLVideoElement | null = null;
  private generation = 0;
  private abort = new AbortController();
  /** Open/show/release steps, one after another. */
  private steps: Promise<void> = Promise.resolve();
  private running = false;
  /** The frame being analysed, if any (a new loop waits for it: the models take one at a time). */
  private ticking: Promise<void> | null = null;
  /** A camera frame came while one was being analysed: the newest is taken when that is done. */
  private frameWaiting = false;
  private lastFrameAt = 0;
  private missedChecks = 0;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private readonly stats = new RollingStats(30);
  /** The backbone's time, over the frames that ran it. */
  private readonly embedStats = new RollingStats(30);
  // Not reactive state: listeners are plumbing, never rendered.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly listeners = new Set<FrameListener>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- plumbing, never rendered
  private readonly embeddingListeners = new Set<EmbeddingListener>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly stoppedListeners = new Set<CameraStoppedListener>();

  /**
   * Shows the camera in `video` (which then owns the session). Calling it again for the video
   * that already owns a starting or running camera does nothing; after an error it retries.
   */
  start(video: HTMLVideoElement): Promise<void> {
    if (video === this.owner && (this.status === 'loading' || this.status === 'running')) {
      return this.steps;
    }
    const generation = this.advance();
    this.owner = video;
    this.status = 'loading';
    this.error = null;
    return this.enqueue(() => this.show(video, generation));
  }

  /**
   * Stops the camera if `video` still owns it (a view stopping after a newer view took the camera
   * changes nothing); without `video`, stops whoever owns it. The stream is released unless a
   * start comes first, which then takes it over.
   */
  stop(video?: HTMLVideoElement): void {
    if (video && video !== this.owner) return;
    const generation = this.advance();
    this.owner = null;
    // A stopped camera shows nothing rather than its last, stale face.
    this.analysis = null;
    this.status = 'idle';
    this.error = null;
    void this.enqueue(() => {
      if (generation === this.generation) this.release();
      return Promise.resolve();
    });
  }

  /** Later stages (enrollment, verification) subscribe to analysed frames. */
  onFrame(listener: FrameListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The embedding of a frame the listeners already had without one: where the backbone runs in
   * its own worker (FramePipeline.embedsAside), it arrives a few frames later.
   */
  onEmbedding(listener: EmbeddingListener): () => void {
    this.embeddingListeners.add(listener);
    return () => this.embeddingListeners.delete(listener);
  }

  /**
   * For flows (enrollment, unlock): `listener(message)` is called when the running camera stops
   * by itself: its track ended (unplugged, taken by another app, permission revoked) or it gave
   * no frame for STALL_MS while the page was visible. By then status is 'error', `error` is
   * `message` (CAMERA_MESSAGES.stopped) and no more frames come; end the attempt and show the
   * message. Not called when a view stops the camera (stop()). Returns the unsubscribe function.
   */
  onStopped(listener: CameraStoppedListener): () => void {
    this.stoppedListeners.add(listener);
    return () => this.stoppedListeners.delete(listener);
  }

  /** Starts a new generation: the frame loop, the watchdog and any pending wait of the last end. */
  private advance(): number {
    this.abort.abort();
    this.abort = new AbortController();
    this.running = false;
    if (this.watchdog !== null) clearInterval(this.watchdog);
    this.watchdog = null;
    return ++this.generation;
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    this.steps = this.steps.then(step).catch((error: unknown) => console.error(error));
    return this.steps;
  }

  private async show(video: HTMLVideoElement, generation: number): Promise<void> {
    const current = () => generation === this.generation;
    // The models load in the worker while the camera opens; neither waits for the other.
    void pipeline.start(import.meta.env.BASE_URL);
    try {
      let stream = this.stream;
      if (!isLive(stream)) {
        this.release();
        this.analysis = null;
        stream = await requestCamera();
        this.adopt(stream);
        // Kept when stale: the newer generation's step takes it over or releases it.
        if (!current()) return;
      }
      if (this.attached && this.attached !== video) this.attached.srcObject = null;
      this.attached = video;
      await attachCamera(video, stream, this.abort.signal);
      if (!current()) return;
      // The frame a leaving view was analysing finishes before this loop starts.
      await this.ticking;
      if (!current()) return;
    } catch (error) {
      if (!current()) return;
      this.status = 'error';
      this.error = error instanceof Error ? error.message : CAMERA_MESSAGES.unknown;
      if (!(error instanceof CameraError)) console.error(error);
      return;
    }
    this.status = 'running';
    this.tracking = false;
    this.running = true;
    this.startWatchdog(generation);
    this.scheduleNext(generation);
  }

  private adopt(stream: MediaStream): void {
    this.stream = stream;
    for (const track of stream.getVideoTracks()) {
      track.addEventListener('ended', () => this.stoppedByItself(stream));
    }
  }

  private release(): void {
    closeCamera(this.stream);
    this.stream = null;
    if (this.attached) this.attached.srcObject = null;
    this.attached = null;
  }

  /** The camera stopped without being asked to: an error the view offers to retry. */
  private stoppedByItself(stream: MediaStream): void {
    if (stream !== this.stream) return;
    this.advance();
    this.release();
    this.analysis = null;
    this.status = 'error';
    this.error = CAMERA_MESSAGES.stopped;
    for (const listener of this.stoppedListeners) listener(CAMERA_MESSAGES.stopped);
  }

  /**
   * A camera can also freeze without ending its track: no frame for STALL_MS while the page is
   * visible and no frame is being analysed counts as stopped. Checked as several misses in a row,
   * so one long stall of the main thread is not mistaken for it.
   */
  private startWatchdog(generation: number): void {
    this.lastFrameAt = performance.now();
    this.missedChecks = 0;
    this.watchdog = setInterval(() => {
      if (generation !== this.generation || !this.running) return;
      const now = performance.now();
      if (document.hidden || this.ticking !== null || now - this.lastFrameAt < WATCHDOG_MS) {
        if (document.hidden || this.ticking !== null) this.lastFrameAt = now;
        this.missedChecks = 0;
        return;
      }
      this.missedChecks += 1;
      if (this.missedChecks * WATCHDOG_MS >= STALL_MS && this.stream) {
        this.stoppedByItself(this.stream);
      }
    }, WATCHDOG_MS);
  }

  private scheduleNext(generation: number): void {
    const video = this.attached;
    if (!this.running || generation !== this.generation || !video) return;
    if ('requestVideoFrameCallback' in video) {
      video.requestVideoFrameCallback(() => this.tick(generation, video));
    } else {
      requestAnimationFrame(() => this.tick(generation, video));
    }
  }

  /** The backbone on one frame's crop in the embedder worker; the frames go on meanwhile. */
  private async embedAside(
    current: () => boolean,
    id: number,
    crop: ImageData,
    analysis: FrameAnalysis,
    taken: number,
  ): Promise<void> {
    const embedded = await pipeline.embedAside(id, crop);
    if (!current() || !embedded?.embedding) return;
    const received = performance.now();
    const frame = { analysis, embedding: embedded.embedding, takenAt: taken };
    for (const listener of this.embeddingListeners) listener(frame);
    const done = performance.now();
    this.embedStats.frame(done, { embedMs: embedded.embedMs });
    this.embedMs = this.embedStats.median('embedMs');
    // For the benchmark (scripts/bench.ts): the frame itself was marked with embedMs 0.
    performance.mark('facegate:embed', {
      detail: {
        detectMs: 0,
        landmarkMs: 0,
        alignMs: 0,
        embedMs: embedded.embedMs,
        workerMs: embedded.workerMs,
        matchMs: done - received,
        totalMs: done - taken,
      },
    });
  }

  /**
   * Every presented camera frame calls this. One frame is analysed at a time; a frame that comes
   * meanwhile is not analysed itself, but the newest frame is taken as soon as the one in hand is
   * done (rather than waiting for the camera's next frame after that: an analysis a little longer
   * than the camera's interval would otherwise halve the analysed rate).
   */
  private tick(generation: number, video: HTMLVideoElement): void {
    if (!this.running || generation !== this.generation) return;
    this.lastFrameAt = performance.now();
    this.missedChecks = 0;
    this.scheduleNext(generation);
    if (this.ticking) {
      this.frameWaiting = true;
      return;
    }
    this.analyseNow(generation, video);
  }

  private analyseNow(generation: number, video: HTMLVideoElement): void {
    this.frameWaiting = false;
    const ticking = this.analyse(generation, video).finally(() => {
      if (this.ticking !== ticking) return;
      this.ticking = null;
      if (this.frameWaiting && this.running && generation === this.generation) {
        this.analyseNow(generation, video);
      }
    });
    this.ticking = ticking;
  }

  private async analyse(generation: number, video: HTMLVideoElement): Promise<void> {
    const current = () => this.running && generation === this.generation;
    const width = video.videoWidth;
    const height = video.videoHeight;
    if (width > 0 && height > 0 && pipeline.status === 'ready' && !pipeline.busy) {
      try {
        // The frame on show now; frames that come while it is analysed are dropped, never
        // queued (the newest is taken next: tick).
        const taken = performance.now();
        const bitmap = await createImageBitmap(video);
        const grabMs = performance.now() - taken;
        const result = await pipeline.push(bitmap, this.tracking);
        if (!current()) return;
        if (result) {
          this.tracking = true;
          // The backbone only on the frames a decision needs; the rest keep the camera's rate.
          let embedding: Float32Array | null = null;
          let embedMs = 0;
          let workerMs = result.timings.workerMs;
          const crop = result.analysis.crop;
          const wanted = this.wantsEmbedding(result.analysis);
          if (wanted && pipeline.embedsAside) {
            // Beside the frames: this frame goes to the listeners now, its embedding later.
            if (crop && !pipeline.embedderBusy) {
              void this.embedAside(current, result.id, crop, result.analysis, taken);
            }
          } else if (wanted) {
            const embedded = await pipeline.embed(result.id);
            if (!current()) return;
            if (embedded) {
              embedding = embedded.embedding;
              embedMs = embedded.embedMs;
              workerMs += embedded.workerMs;
            }
          }
          // For the benchmark (scripts/bench.ts): camera and models both ready, once per page.
          if (!readyMarked && pipeline.info) {
            readyMarked = true;
            performance.mark('facegate:ready', {
              detail: { backend: pipeline.info.backend, threads: pipeline.info.threads },
            });
          }
          const frame: CameraFrame = { analysis: result.analysis, embedding, takenAt: taken };
          const received = performance.now();
          for (const listener of this.listeners) listener(frame, video);
          const done = performance.now();
          const t = result.timings;
          this.stats.frame(done, {
            detectMs: t.detectMs,
            landmarkMs: t.landmarkMs,
            alignMs: t.alignMs,
            frameMs: done - taken,
          });
          if (embedding) this.embedStats.frame(done, { embedMs });
          performance.mark('facegate:frame', {
            detail: {
              detectMs: t.detectMs,
              landmarkMs: t.landmarkMs,
              alignMs: t.alignMs,
              // 0 on a frame the backbone did not run on (most frames: embed-policy.ts).
              embedMs,
              matchMs: done - received,
              workerMs,
              // The frame's copy out of the video, on this thread.
              grabMs,
              totalMs: done - taken,
            },
          });
          this.analysis = result.analysis;
          this.frameSize = { width, height };
          this.fps = this.stats.fps();
          this.detectMs = this.stats.median('detectMs');
          this.landmarkMs = this.stats.median('landmarkMs');
          this.alignMs = this.stats.median('alignMs');
          this.embedMs = this.embedStats.median('embedMs');
          this.frameMs = this.stats.median('frameMs');
        }
      } catch (error) {
        if (!current()) return;
        console.error(error);
        this.error = `Face processing failed: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
  }
}
