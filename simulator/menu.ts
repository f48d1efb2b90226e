// The interactive menu, the seed's seven entries. A thin face on the engine: runs go
// through runLive (Ctrl-C stops a run and comes back here; Ctrl-C here quits).
import { number, select } from '@inquirer/prompts';
import { HttpClient } from '../shared/http-client.ts';
import { checkApi, formatCheck } from './api-check.ts';
import type { RunOptions } from './engine/run.ts';
import { formatSummary } from './format.ts';
import { runLive } from './live.ts';
import { modeDefaults } from './options.ts';
import { formatLogs, formatStats, probe, unreachableMessage } from './shop-views.ts';

type Choice = 'continuous' | 'intensive' | 'demo' | 'stats' | 'check' | 'logs' | 'quit';

export interface MenuOptions {
  target: string;
  metricsPort: number;
  metricsSocket?: string;
  /** the loadGeneratorFlood flag (simulator/flood.ts) */
  rateMultiplier?: () => number;
}

export async function runMenu(options: MenuOptions): Promise<void> {
  const http = new HttpClient({ baseUrl: options.target, timeoutMs: 5000 });
  console.log(`SmartShop traffic simulator — target ${options.target}`);
  const first = await probe(http);
  if (!first.reachable) console.log(`\n${unreachableMessage(options.target, first.detail)}\n`);

  for (;;) {
    let choice: Choice;
    try {
      choice = await select<Choice>({
        message: 'What do you want to do?',
        pageSize: 7,
        choices: [
          { name: '1. Continuous simulation (until Ctrl-C)', value: 'continuous' },
          { name: '2. Intensive simulation (a number of cycles)', value: 'intensive' },
          { name: '3. Quick demo (2 minutes)', value: 'demo' },
          { name: '4. View statistics', value: 'stats' },
          { name: '5. Test the API', value: 'check' },
          { name: '6. View logs', value: 'logs' },
          { name: '7. Quit', value: 'quit' },
        ],
      });
    } catch (err) {
      if (isPromptExit(err)) return; // Ctrl-C at the menu quits
      throw err;
    }
    if (choice === 'quit') return;
    try {
      await perform(choice, options, http);
    } catch (err) {
      if (isPromptExit(err)) continue; // Ctrl-C inside a sub-prompt goes back to the menu
      console.log(`Error: ${(err as Error).message}`);
    }
    console.log('');
  }
}

async function perform(choice: Exclude<Choice, 'quit'>, options: MenuOptions, http: HttpClient): Promise<void> {
  if (choice !== 'intensive') {
    const reach = await probe(http);
    if (!reach.reachable) {
      console.log(unreachableMessage(options.target, reach.detail));
      return;
    }
  }
  switch (choice) {
    case 'continuous':
    case 'demo':
      return simulate({ ...modeDefaults(choice), mode: choice, target: options.target, metricsPort: options.metricsPort, metricsSocket: options.metricsSocket, rateMultiplier: options.rateMultiplier });
    case 'intensive': {
      const cycles = await number({ message: 'How many cycles (journeys)?', default: 100, min: 1, max: 1_000_000, required: true });
      const reach = await probe(http);
      if (!reach.reachable) {
        console.log(unreachableMessage(options.target, reach.detail));
        return;
      }
      return simulate({ ...modeDefaults('intensive'), mode: 'intensive', cycles, target: options.target, metricsPort: options.metricsPort, metricsSocket: options.metricsSocket, rateMultiplier: options.rateMultiplier });
    }
    case 'stats': {
      const res = await http.get('/api/stats');
      if (res.kind === 'response' && res.status === 200) console.log(`Shop statistics (${options.target}/api/stats)\n${formatStats(res.body)}`);
      else console.log(`GET /api/stats answered ${res.kind === 'response' ? `HTTP ${res.status}: ${res.text.slice(0, 200)}` : res.kind}`);
      return;
    }
    case 'check':
      console.log(`Testing every endpoint of ${options.target} once…`);
      console.log(formatCheck(await checkApi(http)));
      return;
    case 'logs': {
      const res = await http.get('/api/logs?limit=20');
      if (res.kind === 'response' && res.status === 200) console.log(`Newest activity\n${formatLogs(res.body)}`);
      else console.log(`GET /api/logs answered ${res.kind === 'response' ? `HTTP ${res.status}` : res.kind}`);
      return;
    }
  }
}

async function simulate(run: RunOptions): Promise<void> {
  console.log('Press Ctrl-C to stop and see the summary.');
  const { summary } = await runLive({ ...run, keepLedger: false });
  console.log(formatSummary(summary));
}

function isPromptExit(err: unknown): boolean {
  return err instanceof Error && (err.name === 'ExitPromptError' || err.name === 'AbortPromptError');
}
