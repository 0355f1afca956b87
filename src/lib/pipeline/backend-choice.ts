import { BACKENDS, type BackendName } from '../embedding/backend-names';
import type { BackendChoice } from './pipeline-protocol';

/**
 * The backend probe costs seconds (every backend warmed up and timed), so its result is kept and
 * reused while nothing it depends on changed: the browser (its version is in the user agent), the
 * graphics device, the number of cores and the model. Any change, or Settings' "measure again",
 * probes afresh.
 */
export interface ChoiceContext {
  userAgent: string;
  cores: number;
  /** The GPU as WebGL names it (or '' where it cannot be read). */
  gpu: string;
  modelId: string;
}

export function choiceKey(context: ChoiceContext): string {
  return [context.userAgent, context.cores, context.gpu, context.modelId].join('\n');
}

/** The remembered choice if it was made in this context and names a known backend. */
export function usableChoice(remembered: unknown, key: string): BackendChoice | null {
  if (!isChoice(remembered) || remembered.key !== key) return null;
  return remembered;
}

function isChoice(value: unknown): value is BackendChoice {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<BackendChoice>;
  return (
    typeof v.key === 'string' &&
    typeof v.at === 'number' &&
    (BACKENDS as readonly string[]).includes(v.backend as string) &&
    Array.isArray(v.probes) &&
    v.probes.every(
      (p) =>
        typeof p === 'object' &&
        p !== null &&
        (BACKENDS as readonly string[]).includes((p as { backend: string }).backend) &&
        typeof (p as { ok: unknown }).ok === 'boolean',
    )
  );
}

export const CHOICE_STORAGE_KEY = 'facegate.backend-choice';

/** Reads the remembered choice from the page's storage; anything unreadable counts as none. */
/** The page's localStorage, or any store with its two methods (workers have none). */
export interface ChoiceStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function readRememberedChoice(storage: ChoiceStorage | null): unknown {
  try {
    const text = storage?.getItem(CHOICE_STORAGE_KEY);
    return text ? (JSON.parse(text) as unknown) : null;
  } catch {
    return null;
  }
}

export function rememberChoice(storage: ChoiceStorage | null, choice: BackendChoice | null): void {
  try {
    if (choice) storage?.setItem(CHOICE_STORAGE_KEY, JSON.stringify(choice));
    else storage?.removeItem(CHOICE_STORAGE_KEY);
  } catch {
    // Storage full or blocked: the probe simply runs again next time.
  }
}

/** The name WebGL gives the graphics device; part of the key, never shown or sent anywhere. */
export function gpuName(): string {
  try {
    const canvas = new OffscreenCanvas(1, 1);
    const gl = canvas.getContext('webgl');
    if (!gl) return '';
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return name;
  } catch {
    return '';
  }
}

export type { BackendName };
