import { afterEach, describe, expect, it } from 'vitest';
import {
  SEARCH_EMBED_EVERY_MS,
  shouldEmbed,
  unlockWantsEmbedding,
} from '../../../src/lib/decisions/embed-policy';
import { VerificationFlow } from '../../../src/lib/state/verification.svelte';
import type { FrameAnalysis } from '../../../src/lib/vision/frame-analysis';

describe('unlockWantsEmbedding', () => {
  const searching = { looking: true, live: false, lastEmbeddedAt: null };

  it('embeds the first good frame of an attempt', () => {
    expect(unlockWantsEmbedding(searching, 0)).toBe(true);
  });

  it('before life shows, one embedded frame every SEARCH_EMBED_EVERY_MS at most', () => {
    const last = { ...searching, lastEmbeddedAt: 1000 };
    expect(unlockWantsEmbedding(last, 1000 + 33)).toBe(false);
    expect(unlockWantsEmbedding(last, 1000 + SEARCH_EMBED_EVERY_MS - 1)).toBe(false);
    expect(unlockWantsEmbedding(last, 1000 + SEARCH_EMBED_EVERY_MS)).toBe(true);
  });

  it('none while a requested head turn is on screen, every one once it is answered (live)', () => {
    const asked = { ...searching, turnAsked: true };
    expect(unlockWantsEmbedding(asked, 0)).toBe(false);
    expect(unlockWantsEmbedding({ ...asked, lastEmbeddedAt: 0 }, 10_000)).toBe(false);
    expect(unlockWantsEmbedding({ ...asked, live: true }, 0)).toBe(true);
  });

  it('once live, every good frame until the decision', () => {
    const live = { looking: true, live: true, lastEmbeddedAt: 1000 };
    expect(unlockWantsEmbedding(live, 1001)).toBe(true);
    expect(unlockWantsEmbedding(live, 1033)).toBe(true);
  });

  it('nothing once the attempt has its verdict', () => {
    expect(unlockWantsEmbedding({ looking: false, live: true, lastEmbeddedAt: null }, 0)).toBe(
      false,
    );
  });

  it('at 30 fps before life shows, one frame in eight runs the backbone', () => {
    let last: number | null = null;
    let embedded = 0;
    for (let i = 0; i < 300; i++) {
      const now = (i * 1000) / 30;
      if (unlockWantsEmbedding({ looking: true, live: false, lastEmbeddedAt: last }, now)) {
        embedded++;
        last = now;
      }
    }
    // 10 s: 250 ms is 7.5 frames, so every 8th frame is the first one due.
    expect(embedded).toBe(38);
  });
});

describe('shouldEmbed', () => {
  const yes = () => true;
  const asked: string[] = [];
  const spy = (answer: boolean) => () => {
    asked.push('asked');
    return answer;
  };

  it('never a frame that failed the quality gate, and the flow is not even asked', () => {
    asked.length = 0;
    expect(shouldEmbed({ mode: 'verify', wants: spy(true) }, false)).toBe(false);
    expect(shouldEmbed({ mode: 'enroll', wants: spy(true) }, false)).toBe(false);
    expect(asked).toEqual([]);
  });

  it('nothing without a flow (camera check)', () => {
    expect(shouldEmbed({ mode: 'none' }, true)).toBe(false);
  });

  it('a usable frame is embedded when the flow wants it, and only then', () => {
    expect(shouldEmbed({ mode: 'verify', wants: yes }, true)).toBe(true);
    expect(shouldEmbed({ mode: 'verify', wants: () => false }, true)).toBe(false);
    expect(shouldEmbed({ mode: 'enroll', wants: yes }, true)).toBe(true);
    expect(shouldEmbed({ mode: 'enroll', wants: () => false }, true)).toBe(false);
  });
});

/** A usable frame without a mesh: liveness sees no face, the quality gate passes. */
function usableFrame(): FrameAnalysis {
  return {
    faces: [{ score: 0.9, box: { x: 200, y: 150, width: 200, height: 200 }, keypoints: [] }],
    primary: null,
    mesh: null,
    transform: null,
    crop: { data: new Uint8ClampedArray(4), width: 1, height: 1 } as ImageData,
    quality: {
      ok: true,
      reasons: [],
      metrics: {},
      pose: null,
    } as unknown as FrameAnalysis['quality'],
    tracked: false,
    timings: { detectMs: 0, landmarkMs: 0, alignMs: 0 },
  };
}

function badFrame(): FrameAnalysis {
  const f = usableFrame();
  return {
    ...f,
    crop: null,
    quality: { ...f.quality, ok: false, reasons: ['blurry'] },
  };
}

describe('VerificationFlow.wantsEmbedding (the page paces the backbone with it)', () => {
  let flow: VerificationFlow;
  afterEach(() => flow.cancel());
  const alice = { id: 'a', name: 'Alice', template: new Float32Array([1, 0, 0]) };
  const match = new Float32Array([1, 0, 0]);

  it('paces a not-yet-live attempt by the last pushed embedding', () => {
    let now = 0;
    flow = new VerificationFlow();
    flow.start([alice], 0.5, alice, { now: () => now });
    expect(flow.wantsEmbedding()).toBe(true);
    flow.frame(usableFrame());
    flow.push(match);
    now += 33;
    expect(flow.wantsEmbedding()).toBe(false);
    now += SEARCH_EMBED_EVERY_MS;
    expect(flow.wantsEmbedding()).toBe(true);
    expect(flow.wantsEmbedding(now - 1)).toBe(true);
  });

  /** Three matches with `between` frames before each after the first; is a match pending? */
  function run(between: () => FrameAnalysis): unknown {
    let now = 0;
    flow = new VerificationFlow();
    flow.start([alice], 0.5, alice, { now: () => now });
    for (let i = 0; i < 3; i++) {
      if (i > 0) {
        for (let k = 0; k < 7; k++) {
          now += 33;
          flow.frame(between());
        }
      }
      now += 33;
      flow.frame(usableFrame());
      flow.push(match);
    }
    expect(flow.status).toBe('looking');
    return (flow as unknown as { pending: unknown }).pending;
  }

  it('good frames left unembedded do not break the run of matched frames', () => {
    // Not accepted (the face has not shown life), but the match is pending: the run held.
    expect(run(usableFrame)).not.toBeNull();
    expect(flow.framesSeen).toBe(3);
  });

  it('frames that fail the quality gate still break it', () => {
    expect(run(badFrame)).toBeNull();
  });

  it('asks for nothing once the attempt has ended', () => {
    flow = new VerificationFlow();
    flow.start([alice], 0.5, alice, { now: () => 0 });
    flow.cancel();
    expect(flow.wantsEmbedding()).toBe(false);
  });
});
