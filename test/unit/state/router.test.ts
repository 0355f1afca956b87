import { describe, expect, it } from 'vitest';
import { Router, SCREENS, screenFromHash, type Screen } from '../../../src/lib/state/router.svelte';
import { FakeAddress } from './fake-address';

describe('screenFromHash', () => {
  it('reads every screen, with or without the slash', () => {
    for (const screen of SCREENS) {
      expect(screenFromHash(`#/${screen}`)).toBe(screen);
      expect(screenFromHash(`#${screen}`)).toBe(screen);
    }
  });

  it('falls back to Unlock for nothing, unknown names and near misses', () => {
    for (const hash of ['', '#', '#/', '#/nope', '#/People', '#/people/', '#//people']) {
      expect(screenFromHash(hash)).toBe('unlock');
    }
  });
});

describe('Router', () => {
  it('starts on the screen the address names; the bare address is noticed', () => {
    expect(new Router(new FakeAddress('#/settings')).screen).toBe('settings');
    const bare = new Router(new FakeAddress(''));
    expect(bare.screen).toBe('unlock');
    expect(bare.bare).toBe(true);
    expect(new Router(new FakeAddress('#/unlock')).bare).toBe(false);
  });

  it('go() sets the hash and the screen follows on hashchange, telling listeners once', () => {
    const address = new FakeAddress('#/unlock');
    const router = new Router(address);
    router.start();
    const changes: [Screen, Screen][] = [];
    router.onChange((from, to) => changes.push([from, to]));

    router.go('people');
    expect(address.location.hash).toBe('#/people');
    expect(router.screen).toBe('unlock');
    address.fire();
    expect(router.screen).toBe('people');
    expect(changes).toEqual([['unlock', 'people']]);

    // Typed or followed links route the same way; a hash naming the same screen is no change.
    address.type('#people');
    address.type('#/enroll');
    expect(changes).toEqual([
      ['unlock', 'people'],
      ['people', 'enroll'],
    ]);
  });

  it('go() to the screen the hash already names routes at once (no hashchange will come)', () => {
    const address = new FakeAddress('#/help');
    const router = new Router(address);
    const changes: Screen[] = [];
    router.onChange((from) => changes.push(from));
    router.go('help');
    expect(address.pending).toBe(false);
    expect(router.screen).toBe('help');
    expect(changes).toEqual([]);
  });

  it('an unsubscribed listener hears nothing more', () => {
    const address = new FakeAddress('#/unlock');
    const router = new Router(address);
    router.start();
    const heard: Screen[] = [];
    const off = router.onChange((_from, to) => heard.push(to));
    address.type('#/lab');
    off();
    address.type('#/camera');
    expect(heard).toEqual(['lab']);
    expect(router.screen).toBe('camera');
  });
});
