/**
 * Tells this app's other tabs that something stored changed, so none of them shows (or acts on)
 * a stale list, setting or lockout count. A browser without BroadcastChannel gets no notices.
 */

export type StoreChange =
  | { kind: 'people' }
  | { kind: 'settings' }
  | { kind: 'lockout' }
  | { kind: 'vault' };

const CHANNEL = 'facegate';
let sender: BroadcastChannel | null = null;

function isChange(v: unknown): v is StoreChange {
  const kind = (v as { kind?: unknown } | null)?.kind;
  return kind === 'people' || kind === 'settings' || kind === 'lockout' || kind === 'vault';
}

export function announceChange(change: StoreChange): void {
  if (typeof BroadcastChannel === 'undefined') return;
  sender ??= new BroadcastChannel(CHANNEL);
  sender.postMessage(change);
}

/** Calls `listener` for each change another tab announces; returns the unsubscribe. */
export function onChange(listener: (change: StoreChange) => void): () => void {
  if (typeof BroadcastChannel === 'undefined') return () => undefined;
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (event: MessageEvent<unknown>) => {
    if (isChange(event.data)) listener(event.data);
  };
  return () => channel.close();
}
