/** A wait that did not end in time. */
export class DeadlineError extends Error {
  override name = 'DeadlineError';
}

/**
 * `work`, or DeadlineError after `ms` of wall time (no limit when `ms` is infinite). The work
 * itself goes on (a database request or a warm-up cannot be called back); only the wait for it
 * ends, so the caller can move on or tell the user.
 */
export function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  if (!Number.isFinite(ms)) return work;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`not done in ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
