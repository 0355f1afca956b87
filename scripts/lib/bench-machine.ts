/** What the bench ran on, written beside its numbers (they mean little without it). */
import { cpus, loadavg, totalmem } from 'node:os';

export function machineInfo(chromiumVersion: string) {
  const cores = cpus();
  return {
    cpu_model: cores[0]?.model.trim() ?? 'unknown',
    cores: cores.length,
    memory_bytes: totalmem(),
    // The load when the bench started: other jobs on a shared machine slow every number here.
    load_average_1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    node: process.version,
    chromium_version: chromiumVersion,
  };
}
