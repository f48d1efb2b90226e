// Integration files run one at a time (two labs side by side starve two cores). The files on
// the shared lab (test/shared-lab.ts) go last, together, in their fixed order, so the lab is
// started once and stays up only while they run; every other file keeps vitest's own order.
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { SHARED_LAB_FILES } from './shared-lab.ts';

export class LabSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification): number => SHARED_LAB_FILES.findIndex((p) => f.moduleId.endsWith(p));
    const shared = sorted.filter((f) => rank(f) >= 0).sort((a, b) => rank(a) - rank(b));
    return [...sorted.filter((f) => rank(f) < 0), ...shared];
  }
}
