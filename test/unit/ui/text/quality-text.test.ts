import { describe, expect, it } from 'vitest';
import { FRAME_MESSAGES, QUALITY_MESSAGES, qualityMessages } from '../../../../src/ui/text/quality';

describe('quality words', () => {
  it('has a message for every reason', () => {
    for (const message of Object.values(QUALITY_MESSAGES))
      expect(message.length).toBeGreaterThan(5);
    expect(Object.keys(QUALITY_MESSAGES)).toHaveLength(8);
  });

  it('words reasons in order, with overrides that replace or drop a reason', () => {
    expect(qualityMessages(['too_small', 'blurry'])).toEqual([
      QUALITY_MESSAGES.too_small,
      QUALITY_MESSAGES.blurry,
    ]);
    expect(
      qualityMessages(['head_turned', 'head_tilted', 'too_dark'], {
        head_turned: 'Too far: turn back a little.',
        head_tilted: null,
      }),
    ).toEqual(['Too far: turn back a little.', QUALITY_MESSAGES.too_dark]);
  });

  it('calls an unclear face unclear, not absent, and says the gate words for the rest', () => {
    expect(FRAME_MESSAGES.face_unclear).not.toMatch(/no face/i);
    expect(FRAME_MESSAGES.blurry).toBe(QUALITY_MESSAGES.blurry);
  });
});
