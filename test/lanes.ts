// Integration files run in two lanes (the integration project's maxWorkers: 2): each lab test
// file starts a lab of its own (own compose project, own ports), so two may run side by side
// on this machine's two cores. The drills' file alone takes about as long as every other
// integration file together; queued first, it holds one lane while the other lane takes the
// rest in turn, so the suite lasts about as long as the drills. Two files that share one lab
// (the integrity lab) take turns through its lock (test/integrity/lab.ts).
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Files queued before all others, longest first. */
export const LONG_FILES = ['chaos/chaos.int.test.ts'];

export class LaneSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification): number => LONG_FILES.findIndex((p) => f.moduleId.endsWith(p));
    const first = sorted.filter((f) => rank(f) >= 0).sort((a, b) => rank(a) - rank(b));
    return [...first, ...sorted.filter((f) => rank(f) < 0)];
  }
}
