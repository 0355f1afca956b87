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

function startWorker(): Worker {
  return new Worker(new URL('./pipeline.worker.ts', import.meta.url), {
    type: 'module',
    name: 'facegate-pipeline',
  });
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
      this.send({
        type: 'init',
        // A one-off address for the worker, not reactive state.
        // eslint-disable-next-line svelte/prefer-svelte-reactivity
        baseUrl: new URL(baseUrl, location.href).href,
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
        for (const l of this.lostListeners) l(reply.lost, reply.now, '');
        return;
      case 'backend-failed':
        for (const l of this.lostListeners) l(reply.lost, null, reply.message);
        return;
    }
  }

  private answer(id: number, result: FrameResult | EmbedResult | null): void {
    if (this.pending?.id !== id) return;
    const { resolve } = this.pending;
    this.pending = null;
    resolve(result);
  }

  private fail(why: string): void {
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
