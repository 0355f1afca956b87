/** A wait that did not end in time. */
export class DeadlineError extends Error {
  override name = 'DeadlineError';
}

/**
 * `work`, or DeadlineError after `ms` of wall time. The work itself goes on (a database request
 * cannot be called back); only the wait for it ends, so the caller can tell the user.
 */
export function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`not done in ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
