import { describe, expect, it } from 'vitest';
import { MessageHold } from '../../../src/lib/decisions/message-hold';

describe('MessageHold', () => {
  it('shows the first line at once and holds it 600 ms against a flickering one', () => {
    const hold = new MessageHold<string>(600);
    expect(hold.update(0, 'turn left')).toBe('turn left');
    // The frame's line flips every 100 ms: the shown one does not.
    const shown = [100, 200, 300, 400, 500].map((t) =>
      hold.update(t, t % 200 === 0 ? 'more left' : 'turn left'),
    );
    expect(shown).toEqual(Array(5).fill('turn left'));
    // After the hold, the latest line shows, and is held in turn.
    expect(hold.update(600, 'more left')).toBe('more left');
    expect(hold.update(700, 'turn left')).toBe('more left');
    expect(hold.update(1200, 'turn left')).toBe('turn left');
  });

  it('shows an urgent line at once (a view taken, a ready frame)', () => {
    const hold = new MessageHold<string>(600);
    hold.update(0, 'turn left');
    expect(hold.update(50, 'hold it', true)).toBe('hold it');
    expect(hold.update(100, 'turn left')).toBe('hold it');
  });

  it('never changes more often than every holdMs over a stream of noisy frames', () => {
    const hold = new MessageHold<number>(600);
    let last = hold.update(0, 0);
    let changedAt = 0;
    for (let t = 33; t < 10_000; t += 33) {
      const shown = hold.update(t, Math.floor(Math.random() * 4));
      if (shown !== last) {
        expect(t - changedAt).toBeGreaterThanOrEqual(600);
        changedAt = t;
        last = shown;
      }
    }
  });

  it('starts over after reset', () => {
    const hold = new MessageHold<string>(600);
    hold.update(0, 'a');
    hold.reset();
    expect(hold.update(10, 'b')).toBe('b');
  });
});
