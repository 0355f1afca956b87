import { describe, expect, it } from 'vitest';
import { parseLivenessArgs, summarise } from '../../../scripts/eval-liveness';
import type { AttemptResult } from '../../../scripts/lib/liveness-score';

const result = (
  kind: AttemptResult['kind'],
  live: boolean,
  liveMs: number | null = null,
): AttemptResult => ({
  kind,
  label: 'x',
  start: 0,
  live,
  liveMs,
  cue: live ? 'blink' : null,
  evidence: { blink: live ? 0.5 : 0.1, mouth: 0, parallax: 0 },
});

describe('eval-liveness', () => {
  it('keeps the documented flags and checks their values', () => {
    const args = parseLivenessArgs(['--videos', 'v', '--photos', 'p', '--json', 'out.json']);
    expect(args.videos.endsWith('/v')).toBe(true);
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
      ],
      args,
    );
    expect(summary.apcer).toEqual({ still: 0, moved: 0.5, swung: null, screen: null, cut: null });
    expect(summary.bpcer).toBeCloseTo(1 / 3, 4);
    expect(summary.attempts).toEqual({
      genuine: 3,
      still: 1,
      moved: 2,
      swung: 0,
      screen: 0,
      cut: 0,
    });
    expect(summary.live_pass_ms_median).toBe(1000);
    expect(summary.attacks_passed).toEqual([{ type: 'moved', photo: 'x', cue: 'blink' }]);
  });
});
