/**
 * One way for the scripts to read their flags: node:util parseArgs in strict mode, so a mistyped
 * flag, a flag without its value or a stray word is an error that shows the usage line instead
 * of being ignored (a run with a silently ignored flag measures something else than asked).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

export class UsageError extends Error {
  override name = 'UsageError';
}

function parse<const O extends Options>(
  usage: string,
  options: O,
  argv: string[],
  allowPositionals: boolean,
) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${message}\nusage: ${usage}`);
  }
}

/** Parses `argv` against `options`; throws UsageError (with the usage line) on anything else. */
export function parseFlags<const O extends Options>(usage: string, options: O, argv: string[]) {
  return parse(usage, options, argv, false).values;
}

/** Runs `read` on this process's arguments: --help prints the usage, a usage error its reason. */
function fromProcess<T>(usage: string, read: (argv: string[]) => T): T {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(`usage: ${usage}`);
    process.exit(0);
  }
  try {
    return read(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
}

/** parseFlags over this process's arguments, for a script's entry point (no stack traces). */
export function readFlags<const O extends Options>(usage: string, options: O) {
  return fromProcess(usage, (argv) => parseFlags(usage, options, argv));
}

/** readFlags for a script that also takes words (file names) after or between its flags. */
export function readFlagsAndWords<const O extends Options>(usage: string, options: O) {
  return fromProcess(usage, (argv) => {
    const { values, positionals } = parse(usage, options, argv, true);
    return { flags: values, words: positionals };
  });
}

/** A flag's value as a finite number; `what` names the flag in the error. */
export function numberFlag(value: string, what: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new UsageError(`--${what} must be a number, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** A flag's value as an integer of at least `min`. */
export function intFlag(value: string, what: string, min = 1): number {
  const n = numberFlag(value, what);
  if (!Number.isInteger(n) || n < min) {
    throw new UsageError(`--${what} must be an integer >= ${min}, got ${value}`);
  }
  return n;
}

/** A comma-separated list of numbers. */
export function numberListFlag(value: string, what: string): number[] {
  return value.split(',').map((part) => numberFlag(part.trim(), what));
}
