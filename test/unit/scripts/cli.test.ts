import { describe, expect, it } from 'vitest';
import {
  intFlag,
  numberFlag,
  numberListFlag,
  parseFlags,
  UsageError,
} from '../../../scripts/lib/cli';

const USAGE = 'tool [--runs 3] [--json FILE] [--quiet]';
const OPTIONS = {
  runs: { type: 'string', default: '3' },
  json: { type: 'string' },
  quiet: { type: 'boolean', default: false },
} as const;

describe('parseFlags', () => {
  it('reads flags in both spellings and keeps the defaults of the others', () => {
    expect(parseFlags(USAGE, OPTIONS, ['--json', 'out.json', '--quiet'])).toEqual({
      runs: '3',
      json: 'out.json',
      quiet: true,
    });
    expect(parseFlags(USAGE, OPTIONS, ['--runs=7']).runs).toBe('7');
  });

  it.each([
    ['a mistyped flag', ['--run', '5'], /Unknown option '--run'/],
    ['a flag without its value', ['--json'], /--json/],
    ['a value given to a switch', ['--quiet=yes'], /--quiet/],
    ['a stray word', ['out.json'], /out\.json/],
  ])('rejects %s with the usage line', (_, argv, reason) => {
    let error: unknown;
    try {
      parseFlags(USAGE, OPTIONS, argv);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(reason);
    expect((error as Error).message).toContain(`usage: ${USAGE}`);
  });
});

describe('number flags', () => {
  it('reads numbers and rejects what is not one, naming the flag', () => {
    expect(numberFlag('2.5e-4', 'lr')).toBe(2.5e-4);
    expect(numberFlag('-1', 'anchor')).toBe(-1);
    for (const bad of ['', ' ', 'abc', '1x', 'NaN', 'Infinity']) {
      expect(() => numberFlag(bad, 'lr'), bad).toThrow(/--lr must be a number/);
    }
  });

  it('reads integers with a lower bound', () => {
    expect(intFlag('30', 'runs')).toBe(30);
    expect(intFlag('0', 'seed', 0)).toBe(0);
    expect(() => intFlag('0', 'runs')).toThrow('--runs must be an integer >= 1, got 0');
    expect(() => intFlag('2.5', 'runs')).toThrow(/--runs/);
  });

  it('reads comma-separated lists', () => {
    expect(numberListFlag('0, 0.02,0.1', 'margins')).toEqual([0, 0.02, 0.1]);
    expect(() => numberListFlag('1,,2', 'margins')).toThrow(/--margins/);
  });
});
