// `smartshop simulate`: the menu on a terminal, a headless run with any run flag or
// without a terminal. Exit codes: 0 run completed, 1 a threshold crossed, 2 bad arguments,
// 3 target unreachable. Names (--mode, --profile) are checked by options.ts, not by
// commander's choices, whose errors exit 1.
import { Command } from 'commander';

export function simulateCommand(): Command {
  return new Command('simulate')
    .description('Drive realistic traffic at the shop (interactive menu on a terminal; flags for scripts and CI)')
    .option('--mode <mode>', 'continuous (until Ctrl-C or --duration), intensive (--cycles as fast as --concurrency allows), demo (2 minutes)')
    .option('--rate <n>', 'journeys per second (open model); continuous default 5, demo 3')
    .option('--concurrency <n>', 'journeys in flight at most; arrivals beyond are dropped and counted')
    .option('--duration <d>', 'run length: 30s, 2m, 1h')
    .option('--cycles <n>', 'number of journeys (intensive default 100)')
    .option('--payment-success <ratio>', 'share of payments asked to succeed, 0..1 (default 0.8)')
    .option('--error-rate <ratio>', 'share of requests that are injected errors, 0..1 (default 0.05)')
    .option('--cancel-rate <ratio>', 'share of orders cancelled before payment, 0..1 (default 0.1)')
    .option('--fulfilment-wait <ratio>', 'share of paid orders a journey then waits on (≤ 10 s) until shipped, recording the lag, 0..1 (continuous and demo 0.2, otherwise 0)')
    .option('--ramp-up <d>', 'ramp the rate up from 0 over this long')
    .option('--ramp-down <d>', 'ramp the rate down to 0 over the end of --duration')
    .option('--arrival <kind>', 'uniform (default) or poisson inter-arrival times')
    .option('--timeout <d>', 'per-request timeout (default 10s)')
    .option('--stats-every <d>', 'also read /api/stats this often, besides the journeys (continuous and demo: 2s; 0 = off)')
    .option('--target <url>', 'shop API base URL (default http://127.0.0.1:8000, env SMARTSHOP_TARGET)')
    .option('--seed <n>', 'seed for a repeatable run')
    .option('--json', 'print one JSON summary on stdout at the end (human output goes to stderr)')
    .option('--metrics-port <n>', 'serve the client-side Prometheus metrics here while running (default 9464, 0 = off)')
    .option('--ledger <file>', 'write the ledger of acknowledged writes (JSON) to this file at the end')
    .option('--profile <name>', 'a load-test profile, smoke|load|stress|spike|soak: stages of arrival rate and thresholds (docs/delivery.md); --rate sets its peak, --duration its length')
    .option('--threshold <expr>', "pass/fail criterion metric[{endpoint:NAME}]:aggregation<op>value, repeatable; replaces the profile's: 'http_req_duration:p(95)<500', 'http_req_failed:rate<0.01'", (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--junit <file>', "write the thresholds' results as JUnit XML (for CI)")
    .option('--html <file>', 'write an HTML report: every request\'s latency, percentiles per second against the thresholds, throughput by outcome, the stages')
    .action(async (flags: Record<string, string | string[] | boolean | undefined>) => {
      const { simulateMain } = await import('./main.ts');
      process.exitCode = await simulateMain(flags);
    });
}
