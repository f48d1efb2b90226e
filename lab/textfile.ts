// Batch results for Prometheus through node-exporter's textfile collector (the usual way to
// export what a job found): one `*.prom` file per result in the project's textfile folder
// (config.ts textfileDir, mounted read-only into node-exporter).
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Writes `text` as `dir/name` atomically: a temporary file in the same folder, then rename,
 * so a scrape never reads half a file (the collector only reads *.prom, so the temporary
 * name is ignored until the rename).
 */
export async function writeTextfile(dir: string, name: string, text: string): Promise<void> {
  const tmp = join(dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(tmp, text, { mode: 0o644 });
    await rename(tmp, join(dir, name));
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}
