/**
 * A GPU backend can vanish mid-session (driver reset, GPU process crash, too many contexts): a
 * lost WebGL context makes every later op return zeros silently, so the loss is watched for, not
 * inferred from errors. On loss the page moves to the best remaining CPU backend; the models
 * notice the backend changed and load themselves again on it (FaceEngine, the landmarker).
 */

import * as tf from '@tensorflow/tfjs-core';
import { withBackendLock, type BackendName, type ProbeResult } from './backend';

interface GpuBackendInternals {
  gpgpu?: { gl?: { canvas?: EventTarget } };
  device?: { lost?: Promise<unknown> };
}

/** Calls `onLost` once if the GPU behind the current backend goes away; nothing for wasm or cpu. */
export function watchBackendLoss(onLost: (backend: BackendName) => void): void {
  const name = tf.getBackend() as BackendName;
  const internals = tf.backend() as unknown as GpuBackendInternals;
  if (name === 'webgl') {
    internals.gpgpu?.gl?.canvas?.addEventListener('webglcontextlost', () => onLost('webgl'), {
      once: true,
    });
  } else if (name === 'webgpu') {
    void internals.device?.lost?.then(() => onLost('webgpu'));
  }
}

/** CPU backends never lose a context; of those that worked in the probe, the fastest first. */
export function fallbackOrder(probes: readonly ProbeResult[]): BackendName[] {
  const cpuSide = probes
    .filter((p) => p.ok && (p.backend === 'wasm' || p.backend === 'cpu'))
    .sort((a, b) => (a.ms ?? Infinity) - (b.ms ?? Infinity))
    .map((p) => p.backend);
  for (const b of ['wasm', 'cpu'] as const) if (!cpuSide.includes(b)) cpuSide.push(b);
  return cpuSide;
}

/** Switches the page to the first backend of `order` that starts; returns it. */
export async function switchBackend(order: readonly BackendName[]): Promise<BackendName> {
  return withBackendLock(async () => {
    for (const backend of order) {
      try {
        if (await tf.setBackend(backend)) {
          await tf.ready();
          return backend;
        }
      } catch {
        // Try the next one.
      }
    }
    throw new Error('No tfjs backend works in this browser any more.');
  });
}
