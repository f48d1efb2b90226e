// The lab's fault flags from the host: `smartshop flags list|set|reset` write the flags file
// the shop's container mounts (lab/config.ts flagsDir), in flagd's format; the shop's
// OpenFeature provider sees the change within a second (app/flags/). The file is the one
// source of truth: the CLI, the console's PUT /api/flags and a hand edit all go through it.
import { access, chmod, chown, mkdir, stat } from 'node:fs/promises';
import { flagsDir, flagsFile } from '../lab/paths.ts';
import { FLAG_NAMES, FLAGS, isFlagName, isOn, type FlagName, type FlagValues } from '../shared/feature-flags/catalog.ts';
import { parseFlagValue, readFlagFile, resetFlags, setFlag } from '../shared/feature-flags/flag-file.ts';
import { UsageError } from '../shared/cli-numbers.ts';

/** The shop's and the console's container user and group (the node image's `node`, Dockerfile). */
export const SHOP_UID = 1000;
export const SHOP_GID = 1000;

/**
 * The flags folder and an all-off file, before the containers start. The console's container
 * user writes the file too (PUT /api/flags, by renaming a new file over it), so the folder
 * belongs to that user's group, writable by its owner and that group only (setgid: new files
 * keep the group). Any other local user may not switch the lab's faults.
 */
export async function prepareFlags(project: string, warn: (line: string) => void = (l) => console.error(l)): Promise<void> {
  const dir = flagsDir(project);
  await mkdir(dir, { recursive: true });
  // root may give the folder to the shop's group; a user may if they are in it
  await chown(dir, -1, SHOP_GID).catch(() => undefined);
  await chmod(dir, 0o2770);
  const { uid, gid } = await stat(dir);
  if (uid !== SHOP_UID && gid !== SHOP_GID) {
    warn(`warning: ${dir} is not in group ${SHOP_GID} (the console's): the console's toggles cannot write it; ` +
      '`smartshop flags` still can. Run `make up` as root, or as a member of that group, to fix it.');
  }
  const file = flagsFile(project);
  if (await access(file).then(() => false, () => true)) await resetFlags(file);
}

export function flagName(raw: string): FlagName {
  if (!isFlagName(raw)) throw new UsageError(`no flag "${raw}"; the flags are ${FLAG_NAMES.join(', ')}`);
  return raw;
}

export function formatFlags(values: FlagValues): string[] {
  const width = Math.max(...FLAG_NAMES.map((n) => n.length));
  return FLAG_NAMES.map((n) => `${n.padEnd(width)}  ${(isOn(n, values[n]) ? 'ON ' : 'off')}  ${JSON.stringify(values[n]).padEnd(12)}  ${FLAGS[n].description}`);
}

export async function listFlags(project: string): Promise<string[]> {
  const file = flagsFile(project);
  return [`flags file ${file}`, ...formatFlags(await readFlagFile(file))];
}

export async function setFlagCli(project: string, name: string, raw: string): Promise<string[]> {
  const flag = flagName(name);
  let value;
  try {
    value = parseFlagValue(flag, raw);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  await prepareFlags(project);
  const values = await setFlag(flagsFile(project), flag, value);
  return [`${flag} = ${JSON.stringify(values[flag])} (the shop takes it within a second; \`smartshop flags reset\` puts every flag back)`];
}

export async function resetFlagsCli(project: string, names: string[]): Promise<string[]> {
  const flags = names.map(flagName);
  await prepareFlags(project);
  await resetFlags(flagsFile(project), flags.length === 0 ? FLAG_NAMES : flags);
  return [flags.length === 0 ? 'every fault flag is off' : `${flags.join(', ')} off`];
}
