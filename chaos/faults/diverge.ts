// One row changed on one node only (wsrep_on=OFF: the change is not replicated), as a bug or a
// hand-made fix would leave it, then a cross-node consistency check whose result goes to the
// textfile collector (what GaleraNodesDiverged reads). The rollback puts the row back on that
// node the same way and checks again.
import type { Target } from '../../lab/index.ts';
import { recordConsistency } from '../../stack/index.ts';
import { judgeConsistency, toConsistencyCheck } from '../judge/verify.ts';
import type { Fault } from './fault.ts';

export type DivergeSpec = { kind: 'diverge'; productId: number };

const MARK = ' (diverged by a drill)';

/** The check's result to the textfile collector, as `stack verify` and every drill's judgement do. */
async function checkConsistency(target: Target, database: string, log: (line: string) => void): Promise<void> {
  const r = await judgeConsistency(target, database);
  await recordConsistency({ project: target.project }, toConsistencyCheck(r, (await target.list('galera')).length), { warn: log });
}

const quote = (v: string): string => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

export const diverge: Fault<DivergeSpec> = {
  describe: (f, victims) => `change product ${f.productId}'s name on ${victims.join(', ')} only (wsrep_on=OFF), then a consistency check; later the name put back and checked again`,
  async inject(f, { target, sql, victims, log }) {
    const { database } = sql;
    const node = victims[0];
    if (!node) throw new Error('diverge needs one Galera node');
    const [row] = await sql.query(node, `SELECT name FROM products WHERE id = ${f.productId}`);
    const name = row?.[0];
    if (name === undefined) throw new Error(`product ${f.productId} not found on ${node.name}`);
    const putBack = async (): Promise<string[]> => {
      try {
        await sql.query(node, `SET SESSION wsrep_on = OFF; UPDATE products SET name = ${quote(name)} WHERE id = ${f.productId}`);
        await checkConsistency(target, database, log);
        return [];
      } catch (err) {
        return [`product ${f.productId} on ${node.name} not put back: ${(err as Error).message}`];
      }
    };
    await sql.query(node, `SET SESSION wsrep_on = OFF; UPDATE products SET name = ${quote(name + MARK)} WHERE id = ${f.productId}`);
    // a check that fails leaves no rollback to the runner: the row goes back here
    await checkConsistency(target, database, log).catch(async (err: unknown) => {
      await putBack();
      throw err;
    });
    return { rollback: putBack };
  },
};
