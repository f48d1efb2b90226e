// The lab's fault flags: what each one does, the value that means "no fault", and the
// bounds a value must keep. The shop evaluates them through OpenFeature (app/flags/), the
// simulator reads loadGeneratorFlood, `smartshop flags` and the console (console/) write them; every
// value any of them writes or reads passes `checkFlagValue` first. Named after the
// OpenTelemetry demo's flags where one matches (paymentFailure, productCatalogFailure,
// loadGeneratorFloodHomepage).

export type FlagValue = number | boolean | Record<string, number>;

export interface FlagSpec {
  description: string;
  /** what `smartshop flags set` accepts, for its help and its errors */
  accepts: string;
  off: FlagValue;
  /** the value the web UI's toggle sets: a clear fault, inside the bounds */
  preset: FlagValue;
  /** an error message, or undefined when `value` is acceptable */
  check(value: unknown): string | undefined;
}

/** Upper bounds that keep a fault a rehearsal: the lab's machine must stay usable. */
export const FLAG_LIMITS = {
  slowMs: 10_000,
  statsSleepMs: 10_000,
  cpuShare: 0.9,
  leakMbPerMinute: 256,
  /** the memory leak stops growing here, whatever the rate */
  leakMaxMb: 512,
  heldConnections: 100,
  flood: 20,
  fulfilmentDelayMs: 10_000,
  queueCopies: 10,
} as const;

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function numberIn(min: number, max: number, integer = false) {
  return (v: unknown): string | undefined => {
    if (!isNumber(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      return `must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, not ${JSON.stringify(v)}`;
    }
    return undefined;
  };
}

/** Routes as the shop's metrics name them ("/api/orders/create"), or "all". */
function routeDelays(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return `must be an object of route → milliseconds (e.g. {"all": 300}), not ${JSON.stringify(v)}`;
  for (const [route, ms] of Object.entries(v)) {
    if (route !== 'all' && !route.startsWith('/')) return `route "${route}" must be "all" or a path such as /api/orders/create`;
    const e = numberIn(0, FLAG_LIMITS.slowMs, true)(ms);
    if (e) return `${route}: ${e}`;
  }
  return undefined;
}

export const FLAGS = {
  paymentFailure: {
    description: 'share of payments that fail, whatever the client asked for (0 = the client decides)',
    accepts: 'a share from 0 to 1',
    off: 0,
    preset: 0.5,
    check: numberIn(0, 1),
  },
  productCatalogFailure: {
    description: 'GET /api/products and POST /api/orders/create answer 500',
    accepts: 'true or false',
    off: false,
    preset: true,
    check: (v) => (typeof v === 'boolean' ? undefined : `must be true or false, not ${JSON.stringify(v)}`),
  },
  slowResponses: {
    description: 'milliseconds added before answering, per route or "all"',
    accepts: `milliseconds for every route (0-${FLAG_LIMITS.slowMs}), or JSON such as {"/api/orders/create": 500}`,
    off: {},
    preset: { all: 500 },
    check: routeDelays,
  },
  statsSlowQuery: {
    description: 'GET /api/stats sleeps this many milliseconds inside its SQL, so the database shows it',
    accepts: `milliseconds from 0 to ${FLAG_LIMITS.statsSleepMs}`,
    off: 0,
    preset: 2000,
    check: numberIn(0, FLAG_LIMITS.statsSleepMs, true),
  },
  highCpu: {
    description: 'share of one core the shop spends in a busy loop',
    accepts: `a share from 0 to ${FLAG_LIMITS.cpuShare}`,
    off: 0,
    preset: 0.5,
    check: numberIn(0, FLAG_LIMITS.cpuShare),
  },
  memoryLeak: {
    description: `MB per minute the shop keeps and never uses (stops at ${FLAG_LIMITS.leakMaxMb} MB; released when turned off)`,
    accepts: `MB per minute from 0 to ${FLAG_LIMITS.leakMbPerMinute}`,
    off: 0,
    preset: 60,
    check: numberIn(0, FLAG_LIMITS.leakMbPerMinute),
  },
  dbPoolStarvation: {
    description: 'database pool connections the shop holds idle (requests wait for the rest)',
    accepts: `a whole number of connections from 0 to ${FLAG_LIMITS.heldConnections}`,
    off: 0,
    preset: 5,
    check: numberIn(0, FLAG_LIMITS.heldConnections, true),
  },
  loadGeneratorFlood: {
    description: "multiplier on the simulator's rate (read by the simulator, not the shop)",
    accepts: `a multiplier from 1 to ${FLAG_LIMITS.flood}`,
    off: 1,
    preset: 5,
    check: numberIn(1, FLAG_LIMITS.flood),
  },
  // The fulfilment pipeline's (docs/fulfilment.md): read by the workers and the outbox relay.
  fulfilmentDelay: {
    description: 'milliseconds each worker holds every message between its commit and its ack (a slow consumer: the backlog grows; a crash then leaves committed messages unacked)',
    accepts: `milliseconds from 0 to ${FLAG_LIMITS.fulfilmentDelayMs}`,
    off: 0,
    preset: 1000,
    check: numberIn(0, FLAG_LIMITS.fulfilmentDelayMs, true),
  },
  fulfilmentFailure: {
    description: 'share of messages the workers fail (redelivered; dead-lettered past the delivery limit)',
    accepts: 'a share from 0 to 1',
    off: 0,
    preset: 1,
    check: numberIn(0, 1),
  },
  queueOverload: {
    description: "copies of each message the outbox relay publishes (as the OpenTelemetry demo's kafkaQueueProblems): the workers must dedupe",
    accepts: `a whole number of copies from 1 to ${FLAG_LIMITS.queueCopies}`,
    off: 1,
    preset: 3,
    check: numberIn(1, FLAG_LIMITS.queueCopies, true),
  },
  relayCrash: {
    description: "share of the outbox relay's confirmed batches after which the shop kills itself before marking them published (the relay-crash drill: they are published again)",
    accepts: 'a share from 0 to 1',
    off: 0,
    preset: 0.5,
    check: numberIn(0, 1),
  },
} satisfies Record<string, FlagSpec>;

export type FlagName = keyof typeof FLAGS;
export type FlagValues = { [K in FlagName]: (typeof FLAGS)[K]['off'] extends boolean ? boolean : (typeof FLAGS)[K]['off'] extends number ? number : Record<string, number> };

export const FLAG_NAMES = Object.keys(FLAGS) as FlagName[];

export function isFlagName(name: string): name is FlagName {
  return Object.hasOwn(FLAGS, name);
}

export function checkFlagValue(name: FlagName, value: unknown): string | undefined {
  const spec: FlagSpec = FLAGS[name];
  return spec.check(value);
}

/** Every flag at its no-fault value. */
export function flagsOff(): FlagValues {
  return Object.fromEntries(FLAG_NAMES.map((n) => [n, structuredClone(FLAGS[n].off)])) as FlagValues;
}

/** A flag's value as one number, for the metric: booleans 0/1, route delays their largest. */
export function flagNumber(value: FlagValue): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  return Math.max(0, ...Object.values(value));
}

/** Whether a value differs from the flag's no-fault value. */
export function isOn(name: FlagName, value: FlagValue): boolean {
  return JSON.stringify(value) !== JSON.stringify(FLAGS[name].off);
}
