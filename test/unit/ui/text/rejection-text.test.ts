import { describe, expect, it } from 'vitest';
import { hintMessage, neutralRejection, rejectionMessage } from '../../../../src/ui/text/rejection';

describe('rejection words', () => {
  it('gives the neutral text without a hint: the name, and no light advice', () => {
    const text = rejectionMessage([], 'Alice');
    expect(text).toBe(neutralRejection('Alice'));
    expect(text).toContain('Alice');
    expect(text).not.toMatch(/better light/i);
    // Identify: possibly a stranger, told nothing of what was seen.
    expect(rejectionMessage([], null)).toContain('If you are enrolled here');
    expect(rejectionMessage([], null)).not.toMatch(/light|pose|sharp/i);
  });

  it('says the first hint, naming the dark side of a side light', () => {
    expect(
      rejectionMessage([{ kind: 'side_light', darkSide: 'left' }, { kind: 'blurry' }], null),
    ).toMatch(/the left half of your face/);
    expect(hintMessage({ kind: 'side_light', darkSide: 'right' })).toMatch(/right half/);
    expect(hintMessage({ kind: 'pose' })).toBe(
      'Your head was turned or tilted. Face the camera straight on, level.',
    );
  });
});
