// The CLI's numbers: every numeric option of every command goes through these, so a typo
// (`--rate x`, `--timeout 5m`) is one clear message naming the option, never NaN carried
// into a loop, a wait or a TypeError. Commands turn UsageError into exit code 2 (chaos run
// into 3, its "could not run", because its 2 means a failed drill).
export class UsageError extends Error {}

/** The exit code of a command line that could not be understood. */
export const EXIT_USAGE = 2;

export function parseRatio(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`${flag} must be a number between 0 and 1, not "${value}"`);
  return n;
}

export function parsePositive(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a number greater than 0, not "${value}"`);
  return n;
}

export function parseInteger(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be a whole number between ${min} and ${max}, not "${value}"`);
  return n;
}
