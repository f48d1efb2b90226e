// The CLI's numbers: every numeric option of every command goes through these, so a typo
// (`--rate x`, `--timeout 5m`) is one clear message naming the option, never NaN carried
// into a loop, a wait or a TypeError. Commands turn UsageError into EXIT.usage (exit-codes.ts).
export class UsageError extends Error {}

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

const UNIT_SECONDS = { ms: 0.001, s: 1, m: 60, h: 3600 } as const;

/**
 * The one duration grammar of the CLI: "30s", "2m", "1h", "1500ms", "1m30s" or plain seconds
 * ("90") → seconds. Zero only with allowZero; at most maxSeconds when given.
 */
export function parseDuration(flag: string, value: string, options: boolean | { allowZero?: boolean; maxSeconds?: number } = {}): number {
  const { allowZero = false, maxSeconds = Infinity } = typeof options === 'boolean' ? { allowZero: options } : options;
  const text = value.trim();
  let seconds: number;
  if (/^\d+(\.\d+)?$/.test(text)) {
    seconds = Number(text);
  } else if (/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(text)) {
    seconds = 0;
    for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) seconds += Number(n) * UNIT_SECONDS[unit as keyof typeof UNIT_SECONDS];
  } else {
    throw new UsageError(`${flag} must be a duration like 30s, 2m or 1h, not "${value}"`);
  }
  if (!Number.isFinite(seconds) || seconds < 0 || (!allowZero && seconds === 0)) {
    throw new UsageError(`${flag} must be ${allowZero ? 'zero or more' : 'more than zero'}, not "${value}"`);
  }
  if (seconds > maxSeconds) throw new UsageError(`${flag} must be at most ${maxSeconds} s, not "${value}"`);
  return seconds;
}
