// The `console` service's main (`node dist/console/server.js`, from the shop's image):
// configured from its environment only (docker-compose.yml, swarm/docker-stack.yml).
import { bool, int, str } from '../shared/env.ts';
import { alertNamesIn } from './receiver.ts';
import { createConsole } from './create-console.ts';

const env = process.env;
const port = int(env, 'PORT', 9099, 1, 65535);
const host = str(env, 'HOST', '127.0.0.1');
const file = str(env, 'NOTIFICATIONS_FILE', '/data/alerts/notifications.jsonl');
const optional = (name: string): string | undefined => env[name]?.trim() || undefined;
const app = await createConsole({
  receiver: {
    file,
    token: str(env, 'ALERT_WEBHOOK_TOKEN', ''),
    knownAlerts: alertNamesIn(str(env, 'ALERT_RULES_DIR', '/etc/prometheus/rules')),
    alertmanagerUrl: optional('ALERTMANAGER_URL'),
  },
  flagsFile: optional('FLAGS_FILE'),
  labApiEnabled: bool(env, 'FLAGS_API_ENABLED', false),
  prometheusUrl: optional('PROMETHEUS_URL'),
  reportsDir: optional('REPORTS_DIR'),
  allowedHosts: str(env, 'ALLOWED_HOSTS', '').split(',').map((h) => h.trim()).filter((h) => h !== ''),
});
const server = app.listen(port, host, () => console.log(JSON.stringify({ msg: `lab console listening on ${host}:${port}, keeping notifications in ${file}` })));
// a client that trickles its request cannot hold a socket for long
server.headersTimeout = 10_000;
server.requestTimeout = 15_000;
server.keepAliveTimeout = 65_000;
