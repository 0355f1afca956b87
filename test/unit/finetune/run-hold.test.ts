import { describe, expect, it } from 'vitest';
import { RunHold, yieldToTasks } from '../../../src/lib/finetune/run-hold';

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('RunHold', () => {
  it('lets a step go on at once when nothing holds it', async () => {
    const hold = new RunHold();
    await expect(hold.mayContinue()).resolves.toBeUndefined();
    expect(hold.heldMs()).toBe(0);
  });

  it('keeps a step waiting while held and lets it go on release', async () => {
    const hold = new RunHold();
    hold.hold();
    let went = false;
    const step = hold.mayContinue().then(() => (went = true));
    await settle();
    await settle();
    expect(went).toBe(false);
    hold.release();
    await step;
    expect(went).toBe(true);
  });

  it('sees a hold that arrives as a task while the run was busy (the worker message case)', async () => {
    const hold = new RunHold();
    // The page's message: a task queued before the step asks to go on.
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      hold.hold();
    };
    channel.port2.postMessage(null);
    let went = false;
    const step = hold.mayContinue().then(() => (went = true));
    await settle();
    await settle();
    expect(hold.held).toBe(true);
    expect(went).toBe(false);
    hold.release();
    await step;
    expect(went).toBe(true);
  });

  it('counts the time held, the current hold included, so a run can leave it out of its clock', () => {
    let t = 1000;
    const hold = new RunHold(() => t, yieldToTasks);
    hold.hold();
    t += 300;
    expect(hold.heldMs()).toBe(300);
    hold.release();
    t += 50;
    hold.hold();
    t += 20;
    expect(hold.heldMs()).toBe(320);
    hold.release();
    hold.release();
    expect(hold.heldMs()).toBe(320);
  });
});
