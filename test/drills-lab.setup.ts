// The `lab` project's global setup (vitest.config.ts): secrets, and the drills lab's teardown.
import { drillsLabSetup } from './lab-env.setup.ts';

export default drillsLabSetup;
