import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  announceChange,
  CHANGES_CHANNEL,
  isStoreChange,
  onChange,
  type StoreChange,
} from '../../../src/lib/store/changes';

/** Another tab: its own channel of the same name (two channels in one process reach each other). */
const opened: BroadcastChannel[] = [];
function otherTab(): { channel: BroadcastChannel; received: unknown[] } {
  const channel = new BroadcastChannel(CHANGES_CHANNEL);
  opened.push(channel);
  const received: unknown[] = [];
  channel.addEventListener('message', (event: MessageEvent<unknown>) => received.push(event.data));
  return { channel, received };
}

const unsubscribers: (() => void)[] = [];
function listen(): StoreChange[] {
  const heard: StoreChange[] = [];
  unsubscribers.push(onChange((change) => heard.push(change)));
  return heard;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

afterEach(() => {
  for (const off of unsubscribers.splice(0)) off();
  for (const channel of opened.splice(0)) channel.close();
  vi.unstubAllGlobals();
});

describe('cross-tab change notices', () => {
  it('a listener hears what another tab announces', async () => {
    const heard = listen();
    const other = otherTab();
    other.channel.postMessage({ kind: 'people' });
    other.channel.postMessage({ kind: 'lockout' });
    await vi.waitFor(() => expect(heard).toEqual([{ kind: 'people' }, { kind: 'lockout' }]));
  });

  it('announcements reach other tabs, whether or not this tab listens', async () => {
    const other = otherTab();
    announceChange({ kind: 'settings' });
    await vi.waitFor(() => expect(other.received).toEqual([{ kind: 'settings' }]));
    listen();
    announceChange({ kind: 'vault' });
    await vi.waitFor(() =>
      expect(other.received).toEqual([{ kind: 'settings' }, { kind: 'vault' }]),
    );
  });

  it('a tab does not hear its own announcements', async () => {
    const heard = listen();
    const other = otherTab();
    announceChange({ kind: 'people' });
    await vi.waitFor(() => expect(other.received).toHaveLength(1));
    other.channel.postMessage({ kind: 'settings' });
    await vi.waitFor(() => expect(heard).toHaveLength(1));
    await settle();
    expect(heard).toEqual([{ kind: 'settings' }]);
  });

  it('every listener hears a change; an unsubscribed one does not', async () => {
    const first: StoreChange[] = [];
    const second: StoreChange[] = [];
    const offFirst = onChange((c) => first.push(c));
    unsubscribers.push(onChange((c) => second.push(c)));
    const other = otherTab();
    other.channel.postMessage({ kind: 'people' });
    await vi.waitFor(() => expect(first).toHaveLength(1));
    offFirst();
    offFirst(); // idempotent
    other.channel.postMessage({ kind: 'vault' });
    await vi.waitFor(() => expect(second).toHaveLength(2));
    await settle();
    expect(first).toEqual([{ kind: 'people' }]);
    expect(second).toEqual([{ kind: 'people' }, { kind: 'vault' }]);
  });

  it('ignores messages that are not a change, and passes on only the kind', async () => {
    const heard = listen();
    const other = otherTab();
    for (const junk of [null, 'people', 42, {}, { kind: 'everything' }, { kind: 1 }]) {
      other.channel.postMessage(junk);
    }
    other.channel.postMessage({ kind: 'people', secret: 'not passed on' });
    await vi.waitFor(() => expect(heard).toHaveLength(1));
    await settle();
    expect(heard).toEqual([{ kind: 'people' }]);
  });

  it('listening again after everyone unsubscribed works', async () => {
    const off = onChange(() => {});
    off();
    const heard = listen();
    otherTab().channel.postMessage({ kind: 'lockout' });
    await vi.waitFor(() => expect(heard).toEqual([{ kind: 'lockout' }]));
  });

  it('does nothing where BroadcastChannel is missing', () => {
    vi.stubGlobal('BroadcastChannel', undefined);
    expect(() => announceChange({ kind: 'people' })).not.toThrow();
    const off = onChange(() => {
      throw new Error('never called');
    });
    expect(() => off()).not.toThrow();
  });

  it('isStoreChange accepts exactly the four kinds', () => {
    for (const kind of ['people', 'settings', 'lockout', 'vault']) {
      expect(isStoreChange({ kind })).toBe(true);
    }
    for (const value of [undefined, null, 'vault', [], { kind: 'Vault' }, { type: 'people' }]) {
      expect(isStoreChange(value)).toBe(false);
    }
  });
});
