import type { BackendName } from '../embedding/backend';
import { adaptEmbedding } from '../finetune/adapter';
import type { FinetuneProgress } from '../finetune/finetune';
import type { PersonScoreNorm } from '../math/match';
import type {
  BackendStepResult,
  WorkerReply,
  WorkerRequest,
  WorkerSample,
} from '../finetune/protocol';
import { finetuneKey, getFinetune, saveFinetune, clearFinetune } from '../store/finetune';
import type { FinetuneRecord, PersonWithSamples } from '../store/schema';

export type FinetuneStatus = 'idle' | 'running' | 'checking-backends';

/** How a run ended: stored (used or refused by its check), people changed meanwhile, or neither. */
export type FinetuneOutcome = 'saved' | 'stale' | 'cancelled' | 'failed' | 'nothing';

export interface FinetuneJob {
  /** The vault's data key: the result is stored sealed with it. */
  key: CryptoKey;
  modelId: string;
  baseUrl: string;
  backend: BackendName;
  threshold: number;
  people: PersonWithSamples[];
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

function startWorker(): Worker {
  return new Worker(new URL('../finetune/finetune.worker.ts', import.meta.url), {
    type: 'module',
    name: 'facegate-finetune',
  });
}

/**
 * Runs fine-tuning in a worker and holds its result for matching. The stored record is only
 * used while it matches the current model and samples exactly (finetuneKey); it is written in
 * one transaction after the worker finishes, so a reload mid-training finds the previous state.
 */
export class FinetuneController {
  status = $state<FinetuneStatus>('idle');
  progress = $state.raw<FinetuneProgress | null>(null);
  /** A sentence about the last run (kept, refused, cancelled, failed). */
  message = $state<string | null>(null);
  record = $state.raw<FinetuneRecord | null>(null);
  backendResults = $state.raw<BackendStepResult[] | null>(null);
  private worker: Worker | null = null;
  private settle: (() => void) | null = null;
  private startedAt = 0;
  /** The run in progress: the samples it trains on (finetuneKey) and how it will end. */
  private running: { key: string; outcome: Promise<FinetuneOutcome> } | null = null;
  /** What each holdWhile() caller says now. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- plumbing, never rendered
  private readonly holders = new Map<() => boolean, boolean>();
  /** The worker was told to hold (plain: read and written inside the holders' effects). */
  private holding = false;
  #held = $state(false);

  /** The record in use: current, and accepted by its validation check. */
  active = $derived(this.record?.used ? this.record : null);
  /** Running, but waiting between steps until the face attempt or enrollment is over. */
  paused = $derived(this.#held && this.status === 'running');

  /**
   * A running fine-tune waits between its steps while `busy()` holds (read reactively: an unlock
   * attempt looking, an enrollment capturing) and goes on when it stops. On 2 cores a fine-tune
   * beside an unlock attempt slowed its frames by a third (docs/BENCHMARKS.md).
   */
  holdWhile(busy: () => boolean): void {
    this.holders.set(busy, false);
    $effect.root(() => {
      $effect(() => {
        this.holders.set(busy, busy());
        this.tellWorker();
      });
    });
  }

  /**
   * Asks every holdWhile() caller again and tells the worker. The effects above do this on every
   * change; Node's unit tests, where effects never run, call it themselves.
   */
  reviewHolds(): void {
    for (const busy of this.holders.keys()) this.holders.set(busy, busy());
    this.tellWorker();
  }

  private tellWorker(): void {
    const held = [...this.holders.values()].some(Boolean);
    if (held === this.holding) return;
    this.holding = held;
    this.#held = held;
    this.worker?.postMessage({ type: held ? 'hold' : 'resume' } satisfies WorkerRequest);
  }

  /** Loads the stored fine-tune if it was trained on exactly these samples with this model. */
  async refresh(
    key: CryptoKey,
    modelId: string,
    people: readonly PersonWithSamples[],
  ): Promise<void> {
    const stored = await getFinetune(key);
    const samplesKey = finetuneKey(
      modelId,
      people.flatMap((p) => p.samples.filter((s) => s.modelId === modelId)),
    );
    this.record =
      stored && stored.modelId === modelId && stored.samplesKey === samplesKey ? stored : null;
  }

  /** A probe or sample embedding in the space the templates live in. */
  adapt(embedding: Float32Array): Float32Array {
    const adapter = this.active?.adapter;
    return adapter ? adaptEmbedding(adapter, embedding) : embedding;
  }

  templateFor(personId: string): Float32Array | null {
    return this.active?.templates.find((t) => t.personId === personId)?.template ?? null;
  }

  /** The person's score normalisation, kept by the last fine-tune whether or not its templates were. */
  normFor(personId: string): PersonScoreNorm | undefined {
    const record = this.record;
    const i = record?.people.findIndex((p) => p.id === personId) ?? -1;
    const stats = i >= 0 ? record?.norm?.stats[i] : undefined;
    return stats && record?.norm
      ? { template: stats, reference: record.norm.reference }
      : undefined;
  }

  /** Starts a fine-tune for `job`; resolves when it is saved, refused, cancelled or failed. */
  run(job: FinetuneJob): Promise<FinetuneOutcome> {
    const people = job.people
      .map((p) => ({
        id: p.person.id,
        name: p.person.name,
        samples: p.samples.filter((s) => s.modelId === job.modelId),
      }))
      .filter((p) => p.samples.length > 0);
    const samplesKey = finetuneKey(
      job.modelId,
      people.flatMap((p) => p.samples),
    );
    // The same people again (the vault opened again meanwhile): the run in progress goes on
    // rather than starting over; other people: it is out of date and starts over for them.
    if (this.worker && this.running?.key === samplesKey) return this.running.outcome;
    this.cancel(false);
    if (people.length === 0) {
      this.message = 'Nobody is enrolled, so there is nothing to fine-tune.';
      return Promise.resolve('nothing');
    }
    const request: WorkerRequest = {
      type: 'train',
      baseUrl: job.baseUrl,
      backend: job.backend,
      threshold: job.threshold,
      people: people.map((p) => ({
        id: p.id,
        samples: p.samples.map((s): WorkerSample =>
          s.crop ? { embedding: s.embedding, crop: s.crop } : { embedding: s.embedding },
        ),
      })),
    };
    const worker = startWorker();
    this.worker = worker;
    this.status = 'running';
    this.progress = { phase: 'views', fraction: 0 };
    this.message = null;
    this.startedAt = performance.now();
    const ended = new Promise<FinetuneOutcome>((resolve) => {
      this.settle = () => resolve('cancelled');
      const finish = (text: string, outcome: FinetuneOutcome) => {
        if (this.worker !== worker) return;
        worker.terminate();
        this.worker = null;
        this.running = null;
        this.settle = null;
        this.status = 'idle';
        this.progress = null;
        this.message = text;
        resolve(outcome);
      };
      worker.onerror = (event) =>
        finish(
          `Fine-tuning failed: ${event.message || 'the worker stopped'}. Unlock keeps using the base model.`,
          'failed',
        );
      worker.onmessage = (event: MessageEvent<WorkerReply>) => {
        if (this.worker !== worker) return;
        const reply = event.data;
        if (reply.type === 'progress') {
          this.progress = reply.progress;
        } else if (reply.type === 'error') {
          finish(
            `Fine-tuning failed: ${reply.message} Unlock keeps using the base model.`,
            'failed',
          );
        } else if (reply.type === 'done') {
          const record: FinetuneRecord = {
            key: 'current',
            modelId: job.modelId,
            samplesKey,
            people: people.map((p) => ({ id: p.id, name: p.name })),
            used: reply.guard.accepted,
            adapter: reply.adapter,
            templates: people.map((p, i) => ({
              personId: p.id,
              template: reply.templates[i] ?? new Float32Array(),
            })),
            guard: reply.guard,
            norm: reply.norm,
            createdAt: Date.now(),
            seconds: reply.seconds,
            backend: reply.backend,
          };
          this.progress = { phase: 'check', fraction: 1 };
          saveFinetune(job.key, record)
            .then((saved) => {
              if (!saved) {
                finish(
                  'The enrolled people changed while fine-tuning; it runs again for the new set.',
                  'stale',
                );
                return;
              }
              this.record = record;
              finish(
                (record.used
                  ? `Fine-tuned for ${people.length === 1 ? '1 person' : `${people.length} people`} in ${reply.seconds.toFixed(1)} s. ${reply.guard.reason}`
                  : `Kept the base templates: ${reply.guard.reason}`) +
                  (record.norm
                    ? ' Scores are now normalised per person against the background strangers.'
                    : ''),
                'saved',
              );
            })
            .catch((e: unknown) =>
              finish(`The fine-tune could not be saved: ${message(e)}`, 'failed'),
            );
        }
      };
      worker.postMessage(request);
      if (this.holding) worker.postMessage({ type: 'hold' } satisfies WorkerRequest);
    });
    this.running = { key: samplesKey, outcome: ended };
    return ended;
  }

  /** Stops a running fine-tune; nothing is written, the previous state stays in use. */
  cancel(say = true): void {
    if (!this.worker) return;
    this.worker.terminate();
    this.worker = null;
    this.running = null;
    this.settle?.();
    this.settle = null;
    this.status = 'idle';
    this.progress = null;
    if (say) this.message = 'Fine-tuning was cancelled. Nothing changed.';
  }

  /** Forgets the fine-tune in memory (the vault was sealed: its key is gone). */
  forget(): void {
    this.cancel(false);
    this.record = null;
  }

  /** Goes back to the shipped model (and forgets the stored fine-tune). */
  async reset(): Promise<void> {
    this.cancel(false);
    await clearFinetune();
    this.record = null;
    this.message = 'Using the shipped model.';
  }

  /** One training step on each backend, in a worker of its own (diagnostics). */
  checkBackends(baseUrl: string, backends: BackendName[]): Promise<BackendStepResult[]> {
    const worker = startWorker();
    this.status = 'checking-backends';
    return new Promise((resolve) => {
      const done = (results: BackendStepResult[]) => {
        worker.terminate();
        this.backendResults = results;
        if (this.status === 'checking-backends') this.status = 'idle';
        resolve(results);
      };
      worker.onerror = (event) =>
        done(
          backends.map((backend) => ({
            backend,
            ok: false,
            error: event.message || 'worker failed',
          })),
        );
      worker.onmessage = (event: MessageEvent<WorkerReply>) => {
        const reply = event.data;
        if (reply.type === 'probe-done') done(reply.results);
        else if (reply.type === 'error')
          done(backends.map((backend) => ({ backend, ok: false, error: reply.message })));
      };
      worker.postMessage({ type: 'probe', baseUrl, backends } satisfies WorkerRequest);
    });
  }

  /** Seconds since the running fine-tune started (for the progress line). */
  elapsedSeconds(): number {
    return this.status === 'running' ? (performance.now() - this.startedAt) / 1000 : 0;
  }
}
