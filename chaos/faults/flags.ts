// Fault flags set for the hold and reset at the rollback (the shop and the workers watch the
// lab's flags file); for a poisoning drill, the dead-letter queue then replayed into the
// fulfilment queue. Also the helpers crash-restart uses to set its flags.
import { setTimeout as sleep } from 'node:timers/promises';
import { type Target } from '../../lab/index.ts';
import { flagsFile } from '../../lab/paths.ts';
import { deadLetterTool } from '../../lab/broker.ts';
import { resetFlags, setFlag } from '../../shared/feature-flags/flag-file.ts';
import type { FlagName, FlagValue } from '../../shared/feature-flags/catalog.ts';
import type { Fault } from './fault.ts';

/** Fault flags a drill sets (shared/feature-flags/catalog.ts), by name. */
export type DrillFlags = Partial<Record<FlagName, FlagValue>>;

export type FlagsSpec = { kind: 'flags'; flags: DrillFlags; replayDeadLetters: boolean };

export const flags: Fault<FlagsSpec> = {
  describe: (f) => `fault flags ${describeFlags(f.flags)} for the hold; then reset${f.replayDeadLetters ? ', and the dead-letter queue replayed into the fulfilment queue' : ''}`,
  async inject(f, { target, log }) {
    await setFlags(target, f.flags, log);
    return {
      rollback: async () => {
        const problems = await resetDrillFlags(target, f.flags, log);
        if (f.replayDeadLetters) problems.push(...(await replayDeadLetters(target, log)));
        return problems;
      },
    };
  },
};

export function describeFlags(set: DrillFlags): string {
  return Object.entries(set).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
}

/** The drill's flags, written to the lab's flags file (the shop and the workers watch it). */
export async function setFlags(target: Target, set: DrillFlags, log: (line: string) => void): Promise<void> {
  const file = flagsFile(target.project);
  for (const [name, value] of Object.entries(set) as [FlagName, FlagValue][]) await setFlag(file, name, value);
  log(`fault flags set: ${describeFlags(set)}`);
  // the shop and the workers poll the file every 500 ms
  await sleep(1_500);
}

export async function resetDrillFlags(target: Target, set: DrillFlags, log: (line: string) => void): Promise<string[]> {
  try {
    await resetFlags(flagsFile(target.project), Object.keys(set) as FlagName[]);
    log(`fault flags reset: ${Object.keys(set).join(', ')}`);
    await sleep(1_500);
    return [];
  } catch (err) {
    return [`fault flags ${Object.keys(set).join(', ')} not reset: ${(err as Error).message} (\`smartshop flags reset\`)`];
  }
}

/** Every dead-lettered message back into the fulfilment queue, once the flags that poisoned them are off. */
async function replayDeadLetters(target: Target, log: (line: string) => void): Promise<string[]> {
  try {
    // dead-lettering is asynchronous (the queue's leader sends them on): a few rounds until empty
    for (let round = 1; round <= 5; round++) {
      const r = await deadLetterTool(target, 'replay');
      const n = Number(r.replayed ?? 0);
      log(`dead-letter queue, round ${round}: ${n} message(s) replayed into the fulfilment queue`);
      if (n === 0 && round > 1) break;
      await sleep(2_000);
    }
    return [];
  } catch (err) {
    return [`dead-letter queue not replayed: ${(err as Error).message} (\`smartshop queue dlq replay\`)`];
  }
}
