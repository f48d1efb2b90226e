// Writes the lab's passwords into .env where any is missing (what `make up` does first), and
// nothing else: scripts/test-lanes.mjs runs it before its two vitest processes start, so that
// their global setups find .env complete and never race to write it.
import { ensureLabSecrets } from '../stack/index.ts';
import { resolveLabConfig } from '../lab/index.ts';

await ensureLabSecrets(resolveLabConfig().project);
