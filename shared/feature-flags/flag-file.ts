// The flags file, in flagd's flag-definition format (https://flagd.dev/reference/flag-definitions/):
// the one place the lab's fault flags live. The shop's OpenFeature provider watches it,
// `smartshop flags`, the console's PUT /api/flags and the simulator read or write it. A file is accepted only
// when flagd's own parser (@openfeature/flagd-core) accepts it and every variant of every flag
// is within the catalog's bounds; a rejected file changes nothing (the previous flags stay).
// Writes go to a temporary file renamed over the old one, so a reader never sees half a file.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FlagdCore } from '@openfeature/flagd-core';
import { checkFlagValue, FLAG_NAMES, FLAGS, flagsOff, isFlagName, type FlagName, type FlagValue, type FlagValues } from './catalog.ts';

const FLAGD_SCHEMA = 'https://flagd.dev/schema/v0/flags.json';

export class FlagFileError extends Error {
  override name = 'FlagFileError';
}

interface FlagdFlag {
  state: 'ENABLED' | 'DISABLED';
  variants: Record<string, unknown>;
  defaultVariant: string;
  targeting?: unknown;
}

interface FlagdDocument {
  $schema?: string;
  flags: Record<string, FlagdFlag>;
}

/** A flagd document with every flag at `values` (variants `off` and `on`). */
function flagDocument(values: FlagValues): FlagdDocument {
  const flags: Record<string, FlagdFlag> = {};
  for (const name of FLAG_NAMES) {
    const off = FLAGS[name].off;
    const value = values[name];
    const on = JSON.stringify(value) === JSON.stringify(off) ? undefined : value;
    flags[name] = { state: 'ENABLED', variants: { off, ...(on === undefined ? {} : { on }) }, defaultVariant: on === undefined ? 'off' : 'on' };
  }
  return { $schema: FLAGD_SCHEMA, flags };
}

export function flagFileText(values: FlagValues): string {
  return `${JSON.stringify(flagDocument(values), null, 2)}\n`;
}

/**
 * The values a flags file sets (each flag's default variant; a flag the file leaves out, or
 * disables, is off), or a FlagFileError naming what is wrong.
 */
export function parseFlagFile(text: string, source = 'flags file'): FlagValues {
  let doc: FlagdDocument;
  try {
    doc = JSON.parse(text) as FlagdDocument;
  } catch (err) {
    throw new FlagFileError(`${source}: not JSON (${(err as Error).message}); the previous flags stay`);
  }
  const core = new FlagdCore();
  try {
    core.setConfigurations(text);
  } catch (err) {
    throw new FlagFileError(`${source}: not a flagd flag definition (${(err as Error).message}; see ${FLAGD_SCHEMA}); the previous flags stay`);
  }
  const values = flagsOff();
  for (const [name, flag] of Object.entries(doc.flags)) {
    if (!isFlagName(name)) throw new FlagFileError(`${source}: unknown flag "${name}"; the lab's flags are ${FLAG_NAMES.join(', ')}`);
    for (const [variant, value] of Object.entries(flag.variants)) {
      const problem = checkFlagValue(name, value);
      if (problem) throw new FlagFileError(`${source}: ${name}, variant "${variant}": ${problem}`);
    }
    if (flag.state === 'ENABLED') setValue(values, name, core.resolve(typeOf(name), name, FLAGS[name].off).value);
  }
  return values;
}

function typeOf(name: FlagName): 'boolean' | 'number' | 'object' {
  const off = FLAGS[name].off;
  return typeof off === 'boolean' ? 'boolean' : typeof off === 'number' ? 'number' : 'object';
}

function setValue(values: FlagValues, name: FlagName, value: FlagValue): void {
  (values as Record<FlagName, FlagValue>)[name] = value;
}

/** The file's values; a missing file means every flag off. */
export async function readFlagFile(path: string): Promise<FlagValues> {
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  return text === undefined ? flagsOff() : parseFlagFile(text, path);
}

/** Replaces the file with `values`, atomically (a temporary file renamed over it). */
export async function writeFlagFile(path: string, values: FlagValues): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.flags-${randomUUID()}.tmp`);
  // readable by the shop's container user whoever wrote it (the host CLI runs as root)
  await writeFile(tmp, flagFileText(values), { mode: 0o644 });
  await rename(tmp, path);
}

/** Sets one flag (the others keep their values) and returns the new values. */
export async function setFlag(path: string, name: FlagName, value: FlagValue): Promise<FlagValues> {
  const problem = checkFlagValue(name, value);
  if (problem) throw new FlagFileError(`${name}: ${problem}`);
  const values = await readFlagFile(path);
  setValue(values, name, value);
  await writeFlagFile(path, values);
  return values;
}

/** Every flag off (or only `names`). */
export async function resetFlags(path: string, names: FlagName[] = FLAG_NAMES): Promise<FlagValues> {
  const values = await readFlagFile(path).catch(() => flagsOff());
  for (const name of names) setValue(values, name, structuredClone(FLAGS[name].off));
  await writeFlagFile(path, values);
  return values;
}

/**
 * A value typed on a command line: JSON (`0.5`, `true`, `{"all": 300}`), and for
 * slowResponses a bare number of milliseconds meaning every route.
 */
export function parseFlagValue(name: FlagName, raw: string): FlagValue {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new FlagFileError(`${name}: "${raw}" is not a value; it takes ${FLAGS[name].accepts}`);
  }
  if (name === 'slowResponses' && typeof value === 'number') value = { all: value };
  const problem = checkFlagValue(name, value);
  if (problem) throw new FlagFileError(`${name}: ${problem}; it takes ${FLAGS[name].accepts}`);
  return value as FlagValue;
}
