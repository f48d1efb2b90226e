// SmartShop UI: polls /api/stats and /api/fulfilment every 2 s and drives the API with a few buttons.
// Same origin as the API (the UI listener also serves /api), so plain relative fetches.
const euro = new Intl.NumberFormat('en-IE', { style: 'currency', currency: 'EUR' });
const $ = (id) => document.getElementById(id);
let lastUserId;
let lastOrderId;

async function api(method, path, body) {
  const init = { method, headers: { 'content-type': 'application/json' } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(path, init);
  const data = await res.json().catch(() => ({}));
  return { status: res.status, data };
}

function show(text) {
  $('last-result').textContent = text;
}

function setText(id, value) {
  $(id).textContent = String(value);
}

async function refreshStats() {
  try {
    const { status, data } = await api('GET', '/api/stats');
    const pill = $('db-status');
    if (status !== 200) {
      pill.textContent = `database: ${data.error ?? status}`;
      pill.className = 'pill down';
      return;
    }
    pill.textContent = 'database: connected';
    pill.className = 'pill up';
    setText('total_users', data.total_users);
    setText('active_users_today', data.active_users_today);
    setText('orders_last_10min', data.orders_last_10min);
    setText('pending_orders', data.pending_orders);
    setText('pay_success', data.payments_last_hour.success);
    setText('pay_failed', data.payments_last_hour.failed);
    setText('total_success_payments', data.total_success_payments);
    setText('total_failed_payments', data.total_failed_payments);
    setText('revenue_total', euro.format(data.revenue_total));
    setText('revenue_last_hour', euro.format(data.revenue_last_hour));
    setText('act_low', data.active_users_last_hour.low);
    setText('act_medium', data.active_users_last_hour.medium);
    setText('act_high', data.active_users_last_hour.high);
  } catch {
    $('db-status').textContent = 'API unreachable';
    $('db-status').className = 'pill down';
  }
}

async function refreshLogs() {
  const { status, data } = await api('GET', '/api/logs?limit=12').catch(() => ({ status: 0, data: [] }));
  if (status !== 200) return;
  const list = $('logs');
  list.replaceChildren(
    ...data.map((entry) => {
      const li = document.createElement('li');
      li.className = `level-${entry.level}`;
      const time = document.createElement('time');
      time.textContent = new Date(entry.created_at).toLocaleTimeString();
      li.append(time, entry.message);
      return li;
    }),
  );
}

// Paid orders waiting for a worker, and the last shipments with their lag (paid → shipped).
async function refreshFulfilment() {
  const { status, data } = await api('GET', '/api/fulfilment').catch(() => ({ status: 0, data: {} }));
  if (status !== 200) return;
  setText('awaiting_shipment', `${data.awaiting_shipment}${data.awaiting_capped ? '+' : ''}`);
  if (data.recent_shipments.length === 0) return;
  $('shipments').replaceChildren(
    ...data.recent_shipments.map((s) => {
      const tr = document.createElement('tr');
      const cells = [`#${s.order_id}`, s.tracking_number, s.worker, `${(s.lag_ms / 1000).toFixed(2)} s`, new Date(s.shipped_at).toLocaleTimeString()];
      tr.append(...cells.map((text) => Object.assign(document.createElement('td'), { textContent: text })));
      return tr;
    }),
  );
}

async function refresh() {
  await Promise.all([refreshStats(), refreshLogs(), refreshFulfilment()]);
}

async function createUser() {
  const { status, data } = await api('POST', '/api/users/create');
  if (status === 201) lastUserId = data.id;
  show(status === 201 ? `User ${data.id} created: ${data.name}` : `Create user: ${status} ${data.message ?? ''}`);
}

async function createOrder() {
  if (lastUserId === undefined) await createUser();
  const { status, data } = await api('POST', `/api/orders/create/${lastUserId}`);
  if (status === 201) lastOrderId = data.id;
  show(status === 201 ? `Order ${data.id} created: ${euro.format(data.amount)}` : `Create order: ${status} ${data.message ?? ''}`);
}

// Paying walks the order through validate → process first, as a real checkout would.
async function pay(outcome) {
  if (lastOrderId === undefined) await createOrder();
  const id = lastOrderId;
  await api('POST', `/api/orders/validate/${id}`);
  await api('POST', `/api/orders/process/${id}`);
  const { status, data } = await api('POST', `/api/payments/process/${id}`, { status: outcome });
  lastOrderId = undefined;
  show(status === 200 ? `Order ${id}: payment ${data.payment.status} (${euro.format(data.payment.amount)})` : `Pay: ${status} ${data.message ?? ''}`);
}

async function trigger(method, path, body) {
  const { status, data } = await api(method, path, body);
  show(`${path} → ${status} ${data.error ?? ''}`);
}

function bind(id, action) {
  const button = $(id);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await action();
    } catch (err) {
      show(`Error: ${err}`);
    } finally {
      button.disabled = false;
      await refresh();
    }
  });
}

bind('btn-create-user', createUser);
bind('btn-create-order', createOrder);
bind('btn-pay-success', () => pay('success'));
bind('btn-pay-failed', () => pay('failed'));
bind('btn-404', () => trigger('GET', '/api/errors/404'));
bind('btn-500', () => trigger('GET', '/api/errors/500'));
bind('btn-custom', () => trigger('POST', '/api/errors/custom', { status: 503, message: 'custom error from the UI' }));

await refresh();
setInterval(refresh, 2000);
