// Direct SQL connections to each Galera node of a lab, from the host, bypassing HAProxy.
// The nodes publish no port; on Linux a Docker bridge network is routed from the host, so
// the node's address on the project's back-tier network is reachable. Only containers
// carrying the project's lab labels are used (the guard every part that acts on the lab keeps).
import Docker from 'dockerode';
import mysql from 'mysql2/promise';
import type { Connection } from 'mysql2/promise';
import { str } from '../shared/env.ts';

export interface NodeEndpoint {
  /** compose service name, e.g. mariadb-2 */
  node: string;
  host: string;
  port: number;
}

export interface DbCredentials {
  user: string;
  password: string;
  database: string;
}

/** The shop's application account (DB_USER, DB_PASSWORD from .env, see .env.example). */
export function credentialsFromEnv(env: Record<string, string | undefined> = process.env): DbCredentials {
  return {
    user: str(env, 'DB_USER', 'smartshop'),
    password: str(env, 'DB_PASSWORD', ''),
    database: str(env, 'DB_NAME', 'smartshop'),
  };
}

/** The running Galera nodes of `project`, sorted by name, with their back-tier address. */
export async function galeraEndpoints(project: string, docker: Docker = new Docker()): Promise<NodeEndpoint[]> {
  const list = await docker.listContainers({
    filters: { label: [`lab.smartshop.project=${project}`, 'lab.smartshop.role=galera'], status: ['running'] },
  });
  const out: NodeEndpoint[] = [];
  for (const c of list) {
    // a Swarm task first: it inherits the com.docker.compose.* labels of the image compose
    // built, which name whichever service built it last, not this node
    const service = c.Labels['com.docker.swarm.service.name'];
    const swarmService = service?.startsWith(`${project}_`) ? service.slice(project.length + 1) : service;
    const node = swarmService ?? c.Labels['com.docker.compose.service'] ?? c.Names[0]?.replace(/^\//, '') ?? c.Id.slice(0, 12);
    const networks = Object.entries(c.NetworkSettings.Networks);
    const back = networks.find(([name]) => name.endsWith('back-tier')) ?? networks[0];
    const host = back?.[1].IPAddress;
    if (host !== undefined && host !== '') out.push({ node, host, port: 3306 });
  }
  return out.sort((a, b) => a.node.localeCompare(b.node));
}

/** Picks the named node (or throws, naming the ones found). */
export function pickNode(endpoints: NodeEndpoint[], name: string): NodeEndpoint {
  const found = endpoints.find((e) => e.node === name);
  if (found === undefined) throw new Error(`no running Galera node '${name}' (found: ${endpoints.map((e) => e.node).join(', ') || 'none'})`);
  return found;
}

export async function connectNode(endpoint: NodeEndpoint, creds: DbCredentials): Promise<Connection> {
  const conn = await mysql.createConnection({
    host: endpoint.host,
    port: endpoint.port,
    user: creds.user,
    password: creds.password,
    database: creds.database,
    connectTimeout: 5_000,
    timezone: 'Z',
    decimalNumbers: false,
  });
  return conn;
}
