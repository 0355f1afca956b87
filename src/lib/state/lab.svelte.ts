/**
 * One training run of the margin lab: owns its worker, its settings and the latest snapshot. The
 * lab screen holds one, or two side by side (same data and seed, different losses).
 */
import type { BackendName } from '../embedding/backend';
import type { LabData, LabReply, LabRequest, LabSettings, LabSnapshot } from '../lab/lab-types';

export const DEFAULT_LAB_SETTINGS: LabSettings = {
  loss: 'cosface',
  s: 16,
  // Inside the 2-D bound for 8 classes (1 - cos 45° = 0.293), so the first run converges.
  m: 0.2,
  featureDim: 2,
  seed: 1,
  learningRate: 0.01,
};

// Outside the class: a URL built there reads as reactive state to the linter; this one is not.
function startLabWorker(): Worker {
  return new Worker(new URL('../lab/lab.worker.ts', import.meta.url), {
    type: 'module',
    name: 'facegate-lab',
  });
}

/** Steps per message while playing: enough to move, few enough to draw often. */
const PLAY_CHUNK = 5;

export class LabRun {
  settings = $state<LabSettings>({ ...DEFAULT_LAB_SETTINGS });
  snapshot = $state.raw<LabSnapshot | null>(null);
  playing = $state(false);
  backend = $state<BackendName | null>(null);
  error = $state<string | null>(null);
  private worker: Worker | null = null;
  private pending = 0;
  private waiters: (() => void)[] = [];

  constructor(settings: Partial<LabSettings> = {}) {
    this.settings = { ...DEFAULT_LAB_SETTINGS, ...settings };
  }

  start(data: LabData, backend: BackendName | null): void {
    this.stop();
    const worker = startLabWorker();
    this.worker = worker;
    worker.onmessage = (event: MessageEvent<LabReply>) => this.receive(event.data);
    worker.onerror = (event) => {
      this.error = `The lab's worker stopped: ${event.message || 'unknown error'}`;
      this.playing = false;
    };
    this.send({ type: 'start', data, settings: $state.snapshot(this.settings), backend });
  }

  private send(request: LabRequest): void {
    if (!this.worker) return;
    this.pending++;
    this.worker.postMessage(request);
  }

  private receive(reply: LabReply): void {
    if (reply.type === 'ready') {
      this.backend = reply.backend;
      return;
    }
    this.pending = Math.max(0, this.pending - 1);
    if (reply.type === 'error') {
      this.error = reply.message;
      this.playing = false;
    } else {
      this.snapshot = reply.snapshot;
      this.error = null;
      if (reply.snapshot.losses.some((l) => !Number.isFinite(l))) this.playing = false;
    }
    if (this.pending === 0) {
      for (const w of this.waiters.splice(0)) w();
      if (this.playing) this.send({ type: 'step', steps: PLAY_CHUNK });
    }
  }

  /** Resolves when every request sent so far has been answered. */
  settled(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  play(): void {
    if (this.playing) return;
    this.playing = true;
    if (this.pending === 0) this.send({ type: 'step', steps: PLAY_CHUNK });
  }

  pause(): void {
    this.playing = false;
  }

  step(steps: number): void {
    this.send({ type: 'step', steps: Math.max(1, Math.floor(steps)) });
  }

  reset(): void {
    this.playing = false;
    this.send({ type: 'reset' });
  }

  update(settings: Partial<LabSettings>): void {
    this.settings = { ...this.settings, ...settings };
    this.send({ type: 'settings', settings: $state.snapshot(this.settings) });
  }

  stop(): void {
    this.playing = false;
    this.worker?.terminate();
    this.worker = null;
    this.pending = 0;
    for (const w of this.waiters.splice(0)) w();
  }
}
