#!/usr/bin/env bash
# ci:ansible — the Ansible deployment, tested for real on this machine:
#   1. ansible-lint (production profile) and yamllint-clean roles
#   2. ansible-playbook --syntax-check on both inventories
#   3. a real run against localhost that brings the lab up healthy
#   4. a second run that must report changed=0 (idempotence)
# then tears the lab down (KEEP_LAB=1 keeps it). Each run is bounded by ANSIBLE_RUN_TIMEOUT.
export CI_STAGE=ansible; source "$(dirname "$0")/lib.sh"
export ANSIBLE_CONFIG="$ROOT/ansible/ansible.cfg" ANSIBLE_FORCE_COLOR=0 ANSIBLE_NOCOLOR=1
limit="${ANSIBLE_RUN_TIMEOUT:-900}"
mkdir -p "$REPORTS/ansible"
playbook=ansible/playbooks/deploy.yml

teardown() {
  if [[ "${KEEP_LAB:-0}" != 1 ]]; then log "tearing the lab down"; "${SMARTSHOP[@]}" stack down --volumes >/dev/null 2>&1 || true; fi
}

log "ansible-lint"
(cd ansible && ansible-lint --nocolor)
log "syntax check"
ansible-playbook -i ansible/inventory/localhost.ini "$playbook" --syntax-check
ansible-playbook -i ansible/inventory/hosts.ini "$playbook" --syntax-check

trap teardown EXIT
# a lab start (three Galera nodes, three brokers): not beside the other lab's drill (lib.sh)
lab_lock
for run in 1 2; do
  log "run $run against localhost"
  start=$(date +%s)
  timeout "$limit" ansible-playbook -i ansible/inventory/localhost.ini "$playbook" | tee "$REPORTS/ansible/run-$run.log"
  log "run $run took $(( $(date +%s) - start )) s"
done
recap="$(sed -n '/PLAY RECAP/,$p' "$REPORTS/ansible/run-2.log")"
if grep -Eq 'changed=[1-9]|failed=[1-9]|unreachable=[1-9]' <<<"$recap"; then
  echo "second run was not idempotent:" >&2; echo "$recap" >&2; exit 1
fi
log "idempotent: second run changed=0"
# (`a && log` would not stop the script when `a` fails: set -e spares a list's left side)
curl -fsS "$BASE_URL/api/ready" >/dev/null || { echo "the shop Ansible deployed is not ready at $BASE_URL" >&2; exit 1; }
log "shop ready at $BASE_URL"
edge="http://127.0.0.1:${EDGE_PORT:-8080}"
curl -fsS "$edge/api/health" >/dev/null || { echo "the edge Ansible deployed does not forward to the shop at $edge" >&2; exit 1; }
log "the edge forwards to it at $edge"
# The broker and the workers Ansible deployed ship a paid order (bounded: 60 s).
node --input-type=module - "$BASE_URL" <<'JS'
const base = process.argv[2];
const post = async (path, body) => {
  const r = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': `ansible-${path}-${Date.now()}` }, body: JSON.stringify(body ?? {}) });
  if (!r.ok) throw new Error(`POST ${path}: ${r.status} ${await r.text()}`);
  return r.json();
};
const products = await (await fetch(`${base}/api/products`)).json();
const productId = (products.products ?? products)[0].id;
const user = await post('/api/users/create');
const order = await post('/api/orders/create', { userId: user.id, productId, quantity: 1 });
const id = order.id ?? order.order?.id;
for (const step of ['validate', 'process']) await post(`/api/orders/${step}/${id}`);
await post(`/api/payments/process/${id}`, { status: 'success' });
const until = Date.now() + 60_000;
for (;;) {
  const o = await (await fetch(`${base}/api/orders/${id}`)).json();
  if (o.status === 'fulfilled') { console.error(`==> [ci:ansible] order ${id} paid and shipped by a worker: ${JSON.stringify(o.fulfilment)}`); break; }
  if (Date.now() > until) { console.error(`order ${id} not fulfilled within 60 s: ${JSON.stringify(o)}`); process.exit(1); }
  await new Promise((r) => setTimeout(r, 1000));
}
JS
