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

/** Parses `argv` against `options`; throws UsageError (with the usage line) on anything else. */
export function parseFlags<const O extends Options>(usage: string, options: O, argv: string[]) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${message}\nusage: ${usage}`);
  }
}

/**
 * parseFlags over this process's arguments, for a script's entry point: --help prints the usage
 * line, a usage error prints it with the reason; both exit without a stack trace.
 */
export function readFlags<const O extends Options>(usage: string, options: O) {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(`usage: ${usage}`);
    process.exit(0);
  }
  try {
    return parseFlags(usage, options, argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
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
