// The fault flags a worker obeys (fulfilmentDelay, fulfilmentFailure), read from the lab's
// flags file through the same OpenFeature provider as the shop's (app/flags/file-provider.ts).
import { NOOP_PROVIDER, OpenFeature, ProviderEvents, type Client } from '@openfeature/server-sdk';
import type { Logger } from 'pino';
import { FlagFileProvider } from '../app/flags/file-provider.ts';
import { FLAGS } from '../shared/feature-flags/catalog.ts';

const DOMAIN = 'smartshop-worker';

export class WorkerFlags {
  private delay = FLAGS.fulfilmentDelay.off;
  private failure = FLAGS.fulfilmentFailure.off;
  private client: Client | undefined;
  private provider: FlagFileProvider | undefined;

  constructor(private readonly file: string | undefined, private readonly logger: Logger, private readonly random: () => number = Math.random) {}

  async start(): Promise<void> {
    if (this.file === undefined) return;
    this.provider = new FlagFileProvider({
      path: this.file,
      onRefused: (message) => this.logger.error({ file: this.file }, `flags file refused, the previous flags stay: ${message}`),
    });
    await OpenFeature.setProviderAndWait(DOMAIN, this.provider);
    this.client = OpenFeature.getClient(DOMAIN);
    this.client.addHandler(ProviderEvents.ConfigurationChanged, () => void this.refresh());
    await this.refresh();
  }

  async close(): Promise<void> {
    if (this.provider === undefined) return;
    OpenFeature.setProvider(DOMAIN, NOOP_PROVIDER);
    await this.provider.onClose();
  }

  delayMs(): number {
    return this.delay;
  }

  /** Whether this message is one of the share fulfilmentFailure fails. */
  fails(): boolean {
    return this.failure > 0 && this.random() < this.failure;
  }

  private async refresh(): Promise<void> {
    if (this.client === undefined) return;
    const delay = await this.client.getNumberValue('fulfilmentDelay', FLAGS.fulfilmentDelay.off);
    const failure = await this.client.getNumberValue('fulfilmentFailure', FLAGS.fulfilmentFailure.off);
    if (delay !== this.delay || failure !== this.failure) this.logger.warn({ fulfilmentDelay: delay, fulfilmentFailure: failure }, 'fault flags changed');
    this.delay = delay;
    this.failure = failure;
  }
}
