import type { ProbeResult } from '../embedding/backend';
import { forcedBackend, type BackendName } from '../embedding/backend-names';
import type { ModelManifest } from '../embedding/manifest';
import { readRememberedChoice, rememberChoice } from './backend-choice';
import type {
  EmbedResult,
  FrameResult,
  LoadStage,
  PipelineReply,
  PipelineRequest,
} from './pipeline-protocol';

/** What the page knows of the models in the worker. */
export interface EngineInfo {
  manifest: ModelManifest;
  backend: BackendName;
  probes: ProbeResult[];
  /** The backend came from an earlier probe on this device (none ran at this start). */
  remembered: boolean;
  threads: number;
}

export type PipelineStatus = 'idle' | 'loading' | 'ready' | 'error';

export type BackendLostListener = (lost: BackendName, now: BackendName | null, why: string) => void;

function startWorker(name = 'facegate-pipeline'): Worker {
  return new Worker(new URL('./pipeline.worker.ts', import.meta.url), { type: 'module', name });
}

/** After the frames worker is ready, the embedder worker starts this much later (ms). */
const EMBEDDER_DELAY_MS = 4000;

/**
 * Whether a second worker runs the backbone beside the frames: only with a core to spare for it
 * (on one core the two would take turns, as one worker does).
 */
function embedderWanted(): boolean {
  return (globalThis.navigator?.hardwareConcurrency ?? 1) >= 2;
}

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/**
 * The page's side of the frame pipeline (pipeline.worker.ts): starts the worker once, says how far
 * loading got, and hands it one frame at a time. `push` answers with the frame's analysis, or null
 * when the frame was not analysed (models still loading, or the worker busy with the previous
 * frame: a frame is dropped then, never queued); `embed` then runs the backbone on that frame,
 * only when a decision needs it (the worker is busy meanwhile: frames are dropped, not queued).
 */
export class FramePipeline {
  status = $state<PipelineStatus>('idle');
  error = $state<string | null>(null);
  /** 0..1 and what is happening, while loading (the first start downloads and probes). */
  progress = $state<{ stage: LoadStage; fraction: number; detail: string }>({
    stage: 'download',
    fraction: 0,
    detail: '',
  });
  info = $state.raw<EngineInfo | null>(null);

  private worker: Worker | null = null;
  private started: Promise<EngineInfo | null> | null = null;
  private settle: ((info: EngineInfo | null) => void) | null = null;
  private pending: {
    id: number;
    resolve: (result: FrameResult | EmbedResult | null) => void;
  } | null = null;
  private nextId = 1;
  /** The embedder worker (pipeline.worker.ts, 'embed' role), once started; null: none. */
  private embedder: Worker | null = null;
  private embedderReady = false;
  /** The app's base URL as the frames worker got it. */
  private baseUrl = '';
  private embedPending: { id: number; resolve: (result: EmbedResult | null) => void } | null = null;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- plumbing, never rendered
  private readonly lostListeners = new Set<BackendLostListener>();

  /** Starts the worker and the model load (once); resolves when ready, null if it failed. */
  start(baseUrl: string): Promise<EngineInfo | null> {
    this.started ??= new Promise<EngineInfo | null>((resolve) => {
      this.settle = resolve;
      this.status = 'loading';
      try {
        this.worker = startWorker();
      } catch (e) {
        this.fail(`The face pipeline could not start: ${String(e)}`);
        return;
      }
      this.worker.onmessage = (event: MessageEvent<PipelineReply>) => this.reply(event.data);
      this.worker.onerror = (event) => {
        event.preventDefault();
        this.fail(`The face pipeline stopped: ${event.message || 'unknown error'}`);
      };
      // A one-off address for the workers, not reactive state.
      // eslint-disable-next-line svelte/prefer-svelte-reactivity
      this.baseUrl = new URL(baseUrl, location.href).href;
      this.send({
        type: 'init',
        baseUrl: this.baseUrl,
        forced: forcedBackend(),
        remembered: readRememberedChoice(storage()),
      });
    });
    return this.started;
  }

  /** True while a frame is in the worker: the caller should not even take the next one. */
  get busy(): boolean {
    return this.pending !== null;
  }

  /**
   * Analyses one frame (transferred: the caller must not use `frame` afterwards). Null when it
   * was not analysed.
   */
  push(frame: ImageBitmap, track: boolean): Promise<FrameResult | null> {
    if (this.status !== 'ready' || this.pending || !this.worker) {
      frame.close();
      return Promise.resolve(null);
    }
    const id = this.nextId++;
    return new Promise<FrameResult | null>((resolve) => {
      this.pending = { id, resolve: (r) => resolve(r && 'analysis' in r ? r : null) };
      this.send({ type: 'frame', id, frame, track }, [frame]);
    });
  }

  /**
   * The backbone runs in its own worker beside the frames (embedAside); false: on the frames
   * worker (embed), before its next frame.
   */
  get embedsAside(): boolean {
    return this.embedderReady && this.embedder !== null;
  }

  /** True while the embedder worker has a crop: another is not sent (the frame goes unembedded). */
  get embedderBusy(): boolean {
    return this.embedPending !== null;
  }

  /**
   * Embeds frame `id`'s crop in the embedder worker while the frames go on; null when it was not
   * embedded (no embedder, or it is busy, or it failed).
   */
  embedAside(id: number, crop: ImageData): Promise<EmbedResult | null> {
    if (!this.embedsAside || this.embedPending) return Promise.resolve(null);
    return new Promise<EmbedResult | null>((resolve) => {
      this.embedPending = { id, resolve };
      this.embedder?.postMessage({ type: 'embed-crop', id, crop } satisfies PipelineRequest);
    });
  }

  /**
   * Embeds the frame `id` that push() just answered, if it passed the quality gate (the worker
   * kept its crop). Null when it was not embedded (a bad frame, a newer frame, the worker busy).
   */
  embed(id: number): Promise<EmbedResult | null> {
    if (this.status !== 'ready' || this.pending || !this.worker) return Promise.resolve(null);
    return new Promise<EmbedResult | null>((resolve) => {
      this.pending = { id, resolve: (r) => resolve(r && 'embedding' in r ? r : null) };
      this.send({ type: 'embed', id });
    });
  }

  /** Settings' "measure again": every backend is probed now and the result remembered. */
  reprobe(): Promise<EngineInfo | null> {
    if (!this.worker || this.status === 'loading') return Promise.resolve(this.info);
    this.status = 'loading';
    this.started = new Promise<EngineInfo | null>((resolve) => {
      this.settle = resolve;
      this.send({ type: 'reprobe' });
    });
    return this.started;
  }

  /** The GPU behind the models was lost; `now` is where they carry on (null: nowhere). */
  onBackendLost(listener: BackendLostListener): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  private send(request: PipelineRequest, transfer: Transferable[] = []): void {
    this.worker?.postMessage(request, transfer);
  }

  private reply(reply: PipelineReply): void {
    switch (reply.type) {
      case 'progress':
        this.progress = { stage: reply.stage, fraction: reply.fraction, detail: reply.detail };
        return;
      case 'ready': {
        if (reply.choice) rememberChoice(storage(), reply.choice);
        const info: EngineInfo = {
          manifest: reply.manifest,
          backend: reply.backend,
          probes: reply.probes,
          remembered: reply.remembered,
          threads: reply.threads,
        };
        this.info = info;
        this.error = null;
        this.status = 'ready';
        this.progress = { stage: 'start', fraction: 1, detail: '' };
        this.settle?.(info);
        this.settle = null;
        this.startEmbedderSoon(info.backend);
        return;
      }
      case 'load-error':
        this.fail(reply.message);
        return;
      case 'frame':
      case 'embedded':
        this.answer(reply.result.id, reply.result);
        return;
      case 'skipped':
        if (reply.error) console.error(`facegate pipeline: ${reply.error}`);
        this.answer(reply.id, null);
        return;
      case 'backend-lost':
        if (this.info) this.info = { ...this.info, backend: reply.now };
        // The embedder follows the frames worker (its own GPU context may still be alive, and
        // slow frames would share the machine with it).
        this.startEmbedderSoon(reply.now);
        for (const l of this.lostListeners) l(reply.lost, reply.now, '');
        return;
      case 'backend-failed':
        this.stopEmbedder();
        for (const l of this.lostListeners) l(reply.lost, null, reply.message);
        return;
    }
  }

  private embedderTimer: ReturnType<typeof setTimeout> | null = null;

  /**
   * The embedder starts EMBEDDER_DELAY_MS after the frames worker is ready: loading it (weights,
   * wasm, a warm-up pass) takes a core for a second or two on a slow machine, and the first
   * unlock, started as soon as the camera is ready, should not share its core with that.
   */
  private startEmbedderSoon(backend: BackendName): void {
    this.stopEmbedder();
    if (this.embedderTimer !== null) clearTimeout(this.embedderTimer);
    this.embedderTimer = setTimeout(() => {
      this.embedderTimer = null;
      if (this.status === 'ready') this.startEmbedder(backend);
    }, EMBEDDER_DELAY_MS);
  }

  /**
   * (Re)starts the embedder worker on the frames worker's backend. Until it is ready, and if it
   * fails, the frames worker embeds as before: nothing waits for it.
   */
  private startEmbedder(backend: BackendName): void {
    this.stopEmbedder();
    if (!embedderWanted() || !this.worker) return;
    let worker: Worker;
    try {
      worker = startWorker('facegate-embedder');
    } catch {
      return;
    }
    this.embedder = worker;
    worker.onmessage = (event: MessageEvent<PipelineReply>) => {
      if (this.embedder !== worker) return;
      const reply = event.data;
      switch (reply.type) {
        case 'ready':
          this.embedderReady = true;
          return;
        case 'embedded':
          this.answerEmbed(reply.result.id, reply.result);
          return;
        case 'skipped':
          if (reply.error) console.error(`facegate embedder: ${reply.error}`);
          this.answerEmbed(reply.id, null);
          return;
        case 'load-error':
        case 'backend-failed':
          // The frames worker embeds instead (its own loss is what the page is told of).
          console.error(`facegate embedder: ${reply.message}`);
          this.stopEmbedder();
          return;
        default:
          return;
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      if (this.embedder === worker) this.stopEmbedder();
    };
    worker.postMessage({
      type: 'init',
      baseUrl: this.baseUrl,
      forced: backend,
      remembered: null,
      role: 'embed',
    } satisfies PipelineRequest);
  }

  private stopEmbedder(): void {
    this.embedder?.terminate();
    this.embedder = null;
    this.embedderReady = false;
    this.answerEmbed(this.embedPending?.id ?? -1, null);
  }

  private answerEmbed(id: number, result: EmbedResult | null): void {
    if (this.embedPending?.id !== id) return;
    const { resolve } = this.embedPending;
    this.embedPending = null;
    resolve(result);
  }

  private answer(id: number, result: FrameResult | EmbedResult | null): void {
    if (this.pending?.id !== id) return;
    const { resolve } = this.pending;
    this.pending = null;
    resolve(result);
  }

  private fail(why: string): void {
    this.stopEmbedder();
    this.status = 'error';
    this.error = why;
    this.settle?.(null);
    this.settle = null;
    // A dead worker answers nothing more: the frame waiting for it is given up.
    this.answer(this.pending?.id ?? -1, null);
  }
}

/** One pipeline per page: the camera feeds it, the flows read what it loaded. */
export const pipeline = new FramePipeline();
