/**
 * Cross-tab change notices: when one tab changes what the store holds, the app's other tabs (and
 * windows of the same origin) hear which part changed and reload it. Over BroadcastChannel
 * ('facegate'); where the browser has none, announcing and listening do nothing.
 *
 * A tab does not hear its own announcements (one channel object per tab sends and listens, and a
 * BroadcastChannel never delivers to the object that posted).
 */

/** What changed; only the part, never the data (the other tab reads it from the store). */
export type StoreChange =
  { kind: 'people' } | { kind: 'settings' } | { kind: 'lockout' } | { kind: 'vault' };

export type StoreChangeKind = StoreChange['kind'];

export type StoreChangeListener = (change: StoreChange) => void;

export const CHANGES_CHANNEL = 'facegate';

const KINDS: readonly StoreChangeKind[] = ['people', 'settings', 'lockout', 'vault'];

/** A message from another tab is trusted only as far as its shape: anything else is ignored. */
export function isStoreChange(data: unknown): data is StoreChange {
  if (typeof data !== 'object' || data === null) return false;
  const kind = (data as { kind?: unknown }).kind;
  return typeof kind === 'string' && (KINDS as readonly string[]).includes(kind);
}

const supported = () => typeof BroadcastChannel !== 'undefined';

/** This tab's channel while anyone listens (closed with the last listener). */
let open: { channel: BroadcastChannel; listeners: Set<StoreChangeListener> } | null = null;

/** Tells the other tabs that `change.kind` changed. */
export function announceChange(change: StoreChange): void {
  if (!supported()) return;
  const message: StoreChange = { kind: change.kind };
  if (open) {
    open.channel.postMessage(message);
    return;
  }
  // Nobody listens here: a channel just for this message (delivery is queued at post time).
  const channel = new BroadcastChannel(CHANGES_CHANNEL);
  channel.postMessage(message);
  channel.close();
}

/**
 * Calls `listener` for each change another tab announces. Returns the unsubscribe function
 * (idempotent); the channel closes when the last listener goes.
 */
export function onChange(listener: StoreChangeListener): () => void {
  if (!supported()) return () => {};
  if (!open) {
    const channel = new BroadcastChannel(CHANGES_CHANNEL);
    const listeners = new Set<StoreChangeListener>();
    channel.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (!isStoreChange(event.data)) return;
      const change: StoreChange = { kind: event.data.kind };
      for (const l of [...listeners]) l(change);
    });
    open = { channel, listeners };
  }
  const current = open;
  // A function can subscribe twice: each subscription is its own entry.
  const entry: StoreChangeListener = (change) => listener(change);
  current.listeners.add(entry);
  return () => {
    if (!current.listeners.delete(entry)) return;
    if (current.listeners.size === 0 && open === current) {
      current.channel.close();
      open = null;
    }
  };
}
