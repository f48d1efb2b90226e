// Integration tests reach labs whose compose file requires the lab's passwords. Once, before
// any test file runs (so that parallel files never race to write .env): the passwords
// `make up` would write. Each file then loads .env (test/lab-env.ts).
import { ensureLabSecrets } from '../stack/index.ts';
import { resolveLabConfig } from '../lab/index.ts';

export default async function setup(): Promise<void> {
  await ensureLabSecrets(resolveLabConfig().project);
}
