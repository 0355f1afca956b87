import { describe, expect, it } from 'vitest';
import { ATTEMPT_LIMITS, AttemptTracker } from '../../../../src/lib/decisions/attempt-outcome';
import { STOP_MESSAGES } from '../../../../src/ui/text/attempt';

describe('stop words', () => {
  it('has a message for every stop reason, none of them a generic light hint for pose', () => {
    for (const message of Object.values(STOP_MESSAGES)) expect(message.length).toBeGreaterThan(10);
    expect(STOP_MESSAGES.head_turned).not.toMatch(/light/);
  });

  it('words the reason a timed-out attempt gives', () => {
    const t = new AttemptTracker(0, ATTEMPT_LIMITS);
    for (let now = 1_000; now < 4_900; now += 100) t.frame(now, 'head_turned');
    const end = t.check(5_000);
    expect(end?.kind === 'timed_out' && STOP_MESSAGES[end.reason]).toBe(
      'Your head was turned away. Face the camera straight on.',
    );
  });
});
