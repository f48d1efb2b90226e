// Invariants of the shop's data, as SQL over the schema in
// app/db/migrations/001-initial-schema.sql, and the pure judgement of their results.
// Each query returns only violating rows, so an empty result means the invariant holds.
// They run on every Galera node directly with causal reads (judge/read-nodes.ts).

export interface InvariantQuery {
  name: string;
  /** what a violation means, for the report */
  meaning: string;
  sql: string;
  /** turns one violating row into a sentence naming the ids */
  describe: (row: string[]) => string;
}

// `paid` is left once, for `fulfilled` (a worker shipped it): the states no order leaves
const TERMINAL = "('fulfilled','failed','cancelled')";
/** paid, or paid and since shipped */
const PAID = "('paid','fulfilled')";

export const invariantQueries: readonly InvariantQuery[] = [
  {
    name: 'left-terminal-state',
    meaning: 'an order moved out of a terminal state (it has been in two terminal states)',
    // previous_status is set by the same UPDATE as status, so it records the state left
    sql: `SELECT id, previous_status, status FROM orders WHERE previous_status IN ${TERMINAL}`,
    describe: (r) => `order ${r[0]} went from terminal ${r[1]} to ${r[2]}`,
  },
  {
    name: 'paid-and-not-paid',
    meaning: 'an order has a successful payment but is not paid (paid and another terminal state at once)',
    sql: `SELECT o.id, o.status, p.id FROM orders o JOIN payments p ON p.order_id = o.id WHERE p.status = 'success' AND o.status NOT IN ${PAID}`,
    describe: (r) => `order ${r[0]} is ${r[1]} but payment ${r[2]} succeeded`,
  },
  {
    name: 'paid-needs-one-successful-payment',
    meaning: 'every paid order has exactly one successful payment row',
    sql: `SELECT o.id, COUNT(p.id) FROM orders o LEFT JOIN payments p ON p.order_id = o.id AND p.status = 'success' WHERE o.status IN ${PAID} GROUP BY o.id HAVING COUNT(p.id) <> 1`,
    describe: (r) => `paid order ${r[0]} has ${r[1]} successful payments`,
  },
  {
    name: 'payment-amount-matches-order',
    meaning: "a successful payment's amount equals its order's amount",
    sql: "SELECT p.id, p.order_id, p.amount, o.amount FROM payments p JOIN orders o ON o.id = p.order_id WHERE p.status = 'success' AND p.amount <> o.amount",
    describe: (r) => `payment ${r[0]} of order ${r[1]} is ${r[2]} but the order is ${r[3]}`,
  },
  {
    name: 'revenue-equals-paid-orders',
    meaning: "the revenue counter equals the sum of paid orders' amounts",
    // both sides in integer cents; the counter is written in the payment's transaction
    sql: `SELECT r.cents, p.cents FROM
            (SELECT CAST(COALESCE(SUM(value), 0) AS SIGNED) AS cents FROM stat_counters WHERE name = 'revenue_cents') r,
            (SELECT CAST(COALESCE(ROUND(SUM(amount) * 100), 0) AS SIGNED) AS cents FROM orders WHERE status IN ${PAID}) p
          WHERE r.cents <> p.cents`,
    describe: (r) => `revenue counter ${cents(r[0])} but paid orders sum to ${cents(r[1])}`,
  },
  // The fulfilment pipeline's (docs/fulfilment.md): what at-least-once delivery must never
  // turn into, whatever crashed.
  {
    name: 'one-shipment-per-order',
    meaning: 'no order is shipped twice (a message applied twice: the processed-messages record failed)',
    sql: 'SELECT order_id, COUNT(*) FROM shipments GROUP BY order_id HAVING COUNT(*) > 1',
    describe: (r) => `order ${r[0]} has ${r[1]} shipments`,
  },
  {
    name: 'shipment-needs-payment',
    meaning: 'every shipment is for an order with a successful payment',
    sql: "SELECT s.id, s.order_id FROM shipments s LEFT JOIN payments p ON p.order_id = s.order_id AND p.status = 'success' WHERE p.id IS NULL",
    describe: (r) => `shipment ${r[0]} is for order ${r[1]}, which was never paid`,
  },
  {
    name: 'fulfilled-has-shipment',
    meaning: 'an order marked fulfilled has its shipment (they commit together)',
    sql: "SELECT o.id FROM orders o LEFT JOIN shipments s ON s.order_id = o.id WHERE o.status = 'fulfilled' AND s.id IS NULL",
    describe: (r) => `order ${r[0]} is fulfilled without a shipment`,
  },
];

function cents(v: string | undefined): string {
  const n = Number(v ?? 'NaN');
  return Number.isFinite(n) ? `${(n / 100).toFixed(2)} €` : String(v);
}

interface InvariantViolation {
  invariant: string;
  node: string;
  detail: string;
}

/** results[node][invariant] = violating rows, or an Error text when the query failed. */
export type InvariantResults = Record<string, Record<string, string[][] | { error: string }>>;

export interface InvariantJudgement {
  checked: string[];
  violations: InvariantViolation[];
  /** queries that could not run (a node unreadable): the judgement is incomplete */
  errors: { node: string; invariant: string; error: string }[];
}

/** At most this many rows per invariant and node go into the report; the count is always exact. */
const MAX_DETAILS = 20;

export function judgeInvariants(results: InvariantResults, queries: readonly InvariantQuery[] = invariantQueries): InvariantJudgement {
  const violations: InvariantViolation[] = [];
  const errors: InvariantJudgement['errors'] = [];
  for (const [node, byName] of Object.entries(results)) {
    for (const q of queries) {
      const res = byName[q.name];
      if (res === undefined) {
        errors.push({ node, invariant: q.name, error: 'not run' });
      } else if (!Array.isArray(res)) {
        errors.push({ node, invariant: q.name, error: res.error });
      } else {
        for (const row of res.slice(0, MAX_DETAILS)) violations.push({ invariant: q.name, node, detail: q.describe(row) });
        if (res.length > MAX_DETAILS) violations.push({ invariant: q.name, node, detail: `… and ${res.length - MAX_DETAILS} more` });
      }
    }
  }
  return { checked: queries.map((q) => q.name), violations, errors };
}
