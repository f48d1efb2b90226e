// GET /api/flags: every fault flag, its value now and what it does. PUT /api/flags:
// {"flags": {"paymentFailure": 0.5}} sets some, {"reset": true} puts all back. Off unless
// FLAGS_API_ENABLED=true, and from this machine only (flags/local-peer.ts); a PUT writes the
// lab's flags file (the one `smartshop flags` writes) and answers once the shop runs with it.
import type { NextFunction, Request, Response, Router } from 'express';
import { newRouter } from '../http/request-context.ts';
import type { AppContext } from '../context.ts';
import { HttpError } from '../http/http-errors.ts';
import { FLAG_NAMES, FLAGS, isFlagName, isOn, type FlagName, type FlagValue, type FlagValues } from '../../shared/feature-flags/catalog.ts';
import { FlagFileError, readFlagFile, resetFlags, writeFlagFile } from '../../shared/feature-flags/flag-file.ts';
import { isLocalPeer } from '../flags/local-peer.ts';

function describe(ctx: AppContext) {
  return {
    file: ctx.config.flags.file ?? null,
    refused: ctx.faults.refusal ?? null,
    flags: FLAG_NAMES.map((name) => ({
      name,
      value: ctx.faults.values[name],
      on: isOn(name, ctx.faults.values[name]),
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

/** Off unless FLAGS_API_ENABLED, and this machine only: the flags API and the lab page's view. */
export function flagsGuard(ctx: AppContext) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (!ctx.config.flags.apiEnabled) next(new HttpError(404, 'flags_api_disabled', 'the flags API is disabled (set FLAGS_API_ENABLED=true); `smartshop flags` works without it'));
    else if (!isLocalPeer(req.socket.remoteAddress)) next(new HttpError(403, 'not_local', 'the flags API answers this machine only'));
    else next();
  };
}

export function flagsRouter(ctx: AppContext): Router {
  const r = newRouter();
  r.use(flagsGuard(ctx));
  r.get('/', (_req, res) => {
    res.json(describe(ctx));
  });
  r.put('/', async (req, res) => {
    const file = ctx.config.flags.file;
    if (file === undefined) throw new HttpError(409, 'no_flags_file', 'this shop has no flags file (set FLAGS_FILE); the lab mounts one');
    const change = parseChanges(req.body);
    try {
      if ('reset' in change) await resetFlags(file);
      else await writeFlagFile(file, { ...(await readFlagFile(file)), ...change.flags } as FlagValues);
    } catch (err) {
      if (err instanceof FlagFileError) throw new HttpError(409, 'flags_file_invalid', err.message);
      throw err;
    }
    await ctx.faults.reload();
    res.json(describe(ctx));
  });
  return r;
}
