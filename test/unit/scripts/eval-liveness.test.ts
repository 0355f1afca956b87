import { describe, expect, it } from 'vitest';
import { parseLivenessArgs, summarise } from '../../../scripts/eval-liveness';
import type { ScoredAttempt } from '../../../scripts/eval-liveness';

const result = (
  kind: ScoredAttempt['kind'],
  live: boolean,
  liveMs: number | null = null,
  cannotAnswer = false,
): ScoredAttempt => ({
  kind,
  label: 'x',
  start: 0,
  live,
  liveMs,
  cue: live ? 'blink' : null,
  evidence: { blink: live ? 0.5 : 0.1, mouth: 0, parallax: 0 },
  side: null,
  cannotAnswer,
  turn: null,
  turnParallax: null,
});

describe('eval-liveness', () => {
  it('keeps the documented flags and checks their values', () => {
    const args = parseLivenessArgs(['--videos', 'v', '--photos', 'p', '--json', 'out.json']);
    expect(args.videos.map((v) => v.endsWith('/v'))).toEqual([true]);
    expect(args.mode).toBe('challenge');
    const more = parseLivenessArgs([
      '--videos',
      'a,b',
      '--videos',
      'c',
      '--attack-videos',
      'r',
      '--mode',
      'passive',
    ]);
    expect(more.videos.map((v) => v.split('/').pop())).toEqual(['a', 'b', 'c']);
    expect(more.attackVideos.map((v) => v.split('/').pop())).toEqual(['r']);
    expect(more.mode).toBe('passive');
    expect(() => parseLivenessArgs(['--mode', 'sleepy'])).toThrow(/--mode/);
    expect(args.photos.endsWith('/p')).toBe(true);
    expect(args.json).toBe('out.json');
    expect(args.seconds).toBe(6);
    expect(() => parseLivenessArgs(['--people', '0'])).toThrow(/--people/);
    expect(() => parseLivenessArgs(['--bogus'])).toThrow();
  });

  it('reports APCER per attack type, BPCER, counts and the median time to pass', () => {
    const args = parseLivenessArgs([]);
    const summary = summarise(
      [
        result('genuine', true, 800),
        result('genuine', true, 1200),
        result('genuine', false),
        result('still', false),
        result('moved', true, 500),
        result('moved', false),
        result('replay', false),
        result('genuine', false, null, true),
      ],
      args,
    );
    expect(summary.apcer).toEqual({
      still: 0,
      moved: 0.5,
      swung: null,
      screen: null,
      cut: null,
      slideshow: null,
      replay: 0,
    });
    // The window whose footage could not answer is counted apart, not as a refusal.
    expect(summary.bpcer).toBeCloseTo(1 / 3, 4);
    expect(summary.bpcer_all_windows).toBeCloseTo(2 / 4, 4);
    expect(summary.cannot_answer).toEqual({ windows: 1, videos: ['x'] });
    expect(summary.attempts).toEqual({
      genuine: 4,
      still: 1,
      moved: 2,
      swung: 0,
      screen: 0,
      cut: 0,
      slideshow: 0,
      replay: 1,
    });
    expect(summary.live_pass_ms_median).toBe(1000);
    expect(summary.attacks_passed).toEqual([{ type: 'moved', photo: 'x', cue: 'blink', start: 0 }]);
  });
});
