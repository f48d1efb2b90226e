// Phase 3: the rollbacks, always run (after the hold, on Ctrl-C, on an error). The fault
// undoes itself; an injection that failed half-way is undone by `chaos recover`'s logic,
// which looks at what is actually there.
import { recoverLab } from '../recover.ts';
import type { DrillContext } from './context.ts';
import type { Injection, Traffic } from './method.ts';

/** The problems the rollback met (none: the lab is back as it was), the method's error first. */
export async function rollBack(ctx: DrillContext, { observer }: Traffic, injection: Injection): Promise<string[]> {
  const problems: string[] = injection.error ? [injection.error] : [];
  observer.setPhase('recovering');
  observer.mark('rollback-start', ctx.interrupt.signal.aborted ? 'interrupted (Ctrl-C)' : 'fault held for its duration');
  if (injection.fault) {
    problems.push(...(await injection.fault.rollback()));
  } else if (observer.events.some((e) => e.kind === 'fault-start')) {
    try {
      problems.push(...(await recoverLab(ctx.target, ctx.sql, ctx.say)).problems);
    } catch (err) {
      problems.push(`recovery after the failed injection: ${(err as Error).message}`);
    }
  }
  ctx.metrics.faultActive.set(ctx.labels, 0);
  observer.mark('recovery', problems.length === 0 ? 'rollback done' : `rollback with problems: ${problems.join('; ')}`);
  return problems;
}
