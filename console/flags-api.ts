// GET /api/flags: every fault flag, its value in the lab's flags file and what it does. PUT
// /api/flags: {"flags": {"paymentFailure": 0.5}} sets some, {"reset": true} puts all back.
// The console is the only writer over HTTP; the shop and the workers only read the file
// (they poll it, so a change reaches them within a second: the metric
// smartshop_feature_flag_value shows what they run with). Guarded by labGuard.
import express, { type Router } from 'express';
import { HttpError } from '../shared/web/http-error.ts';
import { verifyUtf8 } from '../shared/web/body-guard.ts';
import { FLAG_NAMES, FLAGS, isFlagName, isOn, type FlagName, type FlagValue, type FlagValues } from '../shared/feature-flags/catalog.ts';
import { FlagFileError, readFlagFile, resetFlags, writeFlagFile } from '../shared/feature-flags/flag-file.ts';

/** What the file says now; a file the shop would refuse is named, its values unknown. */
async function describe(file: string) {
  let values: FlagValues | undefined;
  let refused: string | null = null;
  try {
    values = await readFlagFile(file);
  } catch (err) {
    if (!(err instanceof FlagFileError)) throw err;
    refused = `${err.message} (the shop and the workers keep the flags they had)`;
  }
  return {
    file,
    refused,
    flags: FLAG_NAMES.map((name) => ({
      name,
      value: values?.[name] ?? null,
      on: values !== undefined && isOn(name, values[name]),
      description: FLAGS[name].description,
      accepts: FLAGS[name].accepts,
      off: FLAGS[name].off,
      preset: FLAGS[name].preset,
    })),
  };
}

/** The changes a PUT asks for, every one checked before anything is written. */
function parseChanges(body: unknown): { reset: true } | { flags: Partial<Record<FlagName, FlagValue>> } {
  const b = body as { reset?: unknown; flags?: unknown } | null;
  if (b && b.reset === true && b.flags === undefined) return { reset: true };
  if (!b || typeof b.flags !== 'object' || b.flags === null || Array.isArray(b.flags) || Object.keys(b).some((k) => k !== 'flags')) {
    throw new HttpError(400, 'invalid_body', 'send {"flags": {"<name>": <value>, ...}} or {"reset": true}');
  }
  const flags: Partial<Record<FlagName, FlagValue>> = {};
  for (const [name, value] of Object.entries(b.flags as Record<string, unknown>)) {
    if (!isFlagName(name)) throw new HttpError(400, 'unknown_flag', `no flag "${name}"; the flags are ${FLAG_NAMES.join(', ')}`);
    const problem = FLAGS[name].check(value);
    if (problem) throw new HttpError(400, 'invalid_flag_value', `${name}: ${problem}`);
    flags[name] = value as FlagValue;
  }
  return { flags };
}

export function flagsApi(file: string | undefined): Router {
  const r = express.Router();
  const theFile = (): string => {
    if (file === undefined) throw new HttpError(409, 'no_flags_file', 'this console has no flags file (set FLAGS_FILE); the lab mounts one');
    return file;
  };
  r.get('/', async (_req, res) => {
    res.json(await describe(theFile()));
  });
  r.put('/', express.json({ limit: '10kb', strict: true, verify: verifyUtf8 }), async (req, res) => {
    const path = theFile();
    const change = parseChanges(req.body);
    try {
      if ('reset' in change) await resetFlags(path);
      else await writeFlagFile(path, { ...(await readFlagFile(path)), ...change.flags } as FlagValues);
    } catch (err) {
      if (err instanceof FlagFileError) throw new HttpError(409, 'flags_file_invalid', `${err.message}; fix it with \`smartshop flags reset\``);
      throw err;
    }
    res.json(await describe(path));
  });
  return r;
}
