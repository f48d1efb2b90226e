// Integration files run one at a time in each vitest project (a project's labs would starve
// two cores side by side); `npm test` runs the two projects side by side (scripts/
// test-lanes.mjs). The files on
// a shared lab (test/shared-lab.ts) go last in their project, together, in their fixed order,
// so each lab is started once and only while its files run; every other file keeps vitest's
// own order.
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
