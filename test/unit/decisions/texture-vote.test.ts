import { describe, expect, it } from 'vitest';
import {
  TEXTURE_RULES,
  textureVote,
  type TextureSample,
} from '../../../src/lib/decisions/texture-vote';

/** Samples at 5 fps (200 ms apart) from a list of scores. */
const at5fps = (scores: (number | null)[], start = 0): TextureSample[] =>
  scores.map((score, i) => ({ t: start + i * 200, score }));

const repeat = (value: number | null, n: number) => Array.from({ length: n }, () => value);

describe('textureVote', () => {
  it('is unsure with nothing, or with less than the shortest span seen', () => {
    expect(textureVote([]).verdict).toBe('unsure');
    // 1.4 s of very low scores: too short to call a spoof.
    expect(textureVote(at5fps(repeat(0.1, 8))).verdict).toBe('unsure');
  });

  it('calls a window of live-like scores live, and one of screen-like scores spoof', () => {
    expect(textureVote(at5fps(repeat(0.95, 15))).verdict).toBe('live');
    // The phone replay's screen frames: a median well under spoofBelow.
    const replay = [0.76, 0.61, 0.85, 0.38, null, 0.26, 0.76, 0.46, 0.46, 0.3, 0.47, 0.25, 0.25];
    const vote = textureVote(at5fps(replay));
    expect(vote.verdict).toBe('spoof');
    expect(vote.median).toBeLessThan(TEXTURE_RULES.spoofBelow);
  });

  it('is unsure between the two thresholds', () => {
    expect(textureVote(at5fps(repeat(0.74, 15))).verdict).toBe('unsure');
  });

  it('judges the median, so a few bad frames do not flip a live window', () => {
    const scores = [...repeat(0.97, 11), 0.1, 0.05, 0.2, 0.15];
    expect(textureVote(at5fps(scores)).verdict).toBe('live');
  });

  it('judges only the last window: an old stretch of low scores is forgotten', () => {
    const samples = at5fps([...repeat(0.1, 30), ...repeat(0.95, 15)]);
    expect(textureVote(samples).verdict).toBe('live');
    expect(textureVote(samples.slice(0, 30)).verdict).toBe('spoof');
  });

  it('is unsure when fewer than half of the frames had a face scored', () => {
    const scores = [...repeat(0.1, 7), ...repeat(null, 8)];
    const vote = textureVote(at5fps(scores));
    expect(vote).toMatchObject({ verdict: 'unsure', samples: 15, scored: 7 });
  });
});
