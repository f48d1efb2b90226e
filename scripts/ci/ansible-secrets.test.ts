// The Ansible deployment refuses the repository's throw-away passwords on any host but this
// machine (ansible/roles/docker_host/tasks/refuse-throwaway.yml): the real assert, run by
// ansible-playbook against an inventory of its own. The assert runs on the controller, so no
// host is contacted; the play includes that task file alone, with the group and role
// variables the deployment reads.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostTool } from '../../test/host-tool.ts';

const root = join(import.meta.dirname, '..', '..');
const ansible = hostTool('ansible-playbook', 'ansible');
const tmp = mkdtempSync(join(tmpdir(), 'ansible-secrets-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const playbook = join(tmp, 'refuse.yml');
writeFileSync(playbook, `- name: The deployment's first check, alone
  hosts: all
  gather_facts: false
  tasks:
    - name: Refuse the throw-away passwords
      ansible.builtin.include_tasks: ${join(root, 'ansible/roles/docker_host/tasks/refuse-throwaway.yml')}
`);

const vault: Record<string, string> = { vault_rabbitmq_cookie: 'real-cookie' };
for (const [i, n] of ['db', 'migration', 'root', 'sst', 'exporter', 'grafana', 'rabbitmq_admin', 'rabbitmq_shop', 'rabbitmq_worker'].entries()) {
  vault[`vault_${n}_password`] = `real-secret-${i}-${n}`;
}

function play(inventoryLine: string, extra: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  const inventory = join(tmp, `inventory-${Math.random().toString(36).slice(2)}.ini`);
  writeFileSync(inventory, `${inventoryLine}\n`);
  const args = ['-i', inventory, playbook,
    '-e', `@${join(root, 'ansible/inventory/group_vars/all/main.yml')}`,
    '-e', `@${join(root, 'ansible/roles/docker_host/defaults/main.yml')}`,
    // no checkout .env behind the throw-away defaults: what a fresh controller has
    '-e', `lab_dotenv=${join(tmp, 'no.env')}`,
    ...(Object.keys(extra).length ? ['-e', JSON.stringify(extra)] : [])];
  return new Promise((resolve) => {
    execFile('ansible-playbook', args, { cwd: tmp, timeout: 120_000, env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: '0' } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, out: `${stdout}\n${stderr}` });
    });
  });
}

describe.skipIf(ansible.skip)('Ansible: throw-away passwords', { timeout: 120_000 }, () => {
  it('are refused for a remote host, naming the variables to set', async () => {
    const r = await play('remote1 ansible_host=192.0.2.10 ansible_connection=ssh');
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/remote1 would get the repository's throw-away passwords/);
    expect(r.out).toMatch(/vault_db_password/);
  });

  it('are refused when only one of them is left, a broker password included', async () => {
    const rest = { ...vault };
    delete rest.vault_rabbitmq_worker_password;
    const r = await play('remote1 ansible_host=192.0.2.10 ansible_connection=ssh', rest);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/throw-away passwords/);
  });

  it('pass for a remote host once every vault_* secret is set', async () => {
    const r = await play('remote1 ansible_host=192.0.2.10 ansible_connection=ssh', vault);
    expect(r.out).toMatch(/ok=\d+\s+changed=0\s+unreachable=0\s+failed=0/);
    expect(r.code).toBe(0);
  });

  it('are accepted on this machine (ansible_connection=local): the lab binds to 127.0.0.1', async () => {
    const r = await play('localhost ansible_connection=local');
    expect(r.out).toMatch(/failed=0/);
    expect(r.code).toBe(0);
  });
});
