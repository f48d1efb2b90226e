// The lab console's page: the fault flags with a toggle each (PUT /api/flags), what a lab
// user watches during a drill (GET /api/lab): nodes, HAProxy's view, the drill's phase,
// alerts firing and the notifications sent; and the drill reports (GET /api/reports).
// Polls every 2 s; everything is text, never HTML. The live charts (GET /api/charts) are SVG
// drawn by the console itself, parsed as XML and adopted, every 10 s; each figure says how
// many samples or spans its data holds (data-drawn), which is what it draws.
const $ = (id) => document.getElementById(id);

async function api(method, path, body) {
  const init = { method, headers: { 'content-type': 'application/json' } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(path, init);
  return { status: res.status, data: await res.json().catch(() => ({})) };
}

function row(cells) {
  const tr = document.createElement('tr');
  for (const c of cells) {
    const td = document.createElement('td');
    if (c instanceof Node) td.append(c);
    else td.textContent = String(c);
    tr.append(td);
  }
  return tr;
}

function item(text, cls) {
  const li = document.createElement('li');
  li.textContent = text;
  if (cls) li.className = cls;
  return li;
}

async function toggle(flag, on) {
  const value = on ? flag.preset : flag.off;
  const { status, data } = await api('PUT', '/api/flags', { flags: { [flag.name]: value } });
  $('flags-result').textContent = status === 200 ? `${flag.name} = ${JSON.stringify(value)}` : `${flag.name}: ${data.message ?? status}`;
  await refreshFlags();
}

async function refreshFlags() {
  const { status, data } = await api('GET', '/api/flags');
  const body = $('flags').querySelector('tbody');
  if (status !== 200) {
    body.replaceChildren(row([data.message ?? `HTTP ${status}`, '', '', '']));
    return;
  }
  body.replaceChildren(...data.flags.map((flag) => {
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = flag.on;
    box.setAttribute('aria-label', flag.name);
    box.dataset.testid = `flag-${flag.name}`;
    box.addEventListener('change', () => void toggle(flag, box.checked));
    const tr = row([flag.name, JSON.stringify(flag.value), box, flag.description]);
    tr.dataset.flag = flag.name;
    if (flag.on) tr.className = 'on';
    return tr;
  }));
  if (data.refused) $('flags-result').textContent = `flags file refused: ${data.refused}`;
}

function show(part, render) {
  if (part && part.error) return [item(`not available: ${part.error}`, 'bad')];
  return render(part);
}

async function refreshLab() {
  const { status, data } = await api('GET', '/api/lab');
  if (status !== 200) {
    $('drill').textContent = data.message ?? `HTTP ${status}`;
    return;
  }
  const nodes = $('nodes').querySelector('tbody');
  if (data.nodes.error) nodes.replaceChildren(row([`not available: ${data.nodes.error}`, '', '', '']));
  else nodes.replaceChildren(...data.nodes.map((n) => row([n.node, n.state, `${n.primary ? 'Primary' : 'non-Primary'}, size ${n.clusterSize}`, n.haproxy])));
  $('drill').textContent = data.drill && data.drill.error ? `not available: ${data.drill.error}` : data.drill ? `${data.drill.drill}: ${data.drill.phase}` : 'no drill running';
  $('alerts').replaceChildren(...show(data.alerts, (list) => (list.length ? list.map((a) => item(`${a.alertname} (${a.severity ?? '?'}) ${a.state} since ${a.since}`, a.state === 'firing' ? 'bad' : '')) : [item('none')])));
  $('notifications').replaceChildren(...show(data.notifications, (list) => (list.length ? [...list].reverse().map((n) => item(`${n.receivedAt} ${n.alertname} ${n.status}`, n.status === 'firing' ? 'bad' : 'ok')) : [item('none yet')])));
}

function link(text, href) {
  const a = document.createElement('a');
  a.textContent = text;
  a.href = href;
  return a;
}

async function refreshReports() {
  const { status, data } = await api('GET', '/api/reports');
  const body = $('reports').querySelector('tbody');
  if (status !== 200) {
    body.replaceChildren(row([data.message ?? `HTTP ${status}`, '', '', '']));
    return;
  }
  if (data.reports.length === 0) {
    body.replaceChildren(row(['none yet: `smartshop chaos run <drill>` writes one', '', '', '']));
    return;
  }
  body.replaceChildren(...data.reports.map((r) => {
    const files = document.createElement('span');
    files.append(link(r.html ? 'HTML' : 'Markdown', `/reports/${r.html ?? r.md}`), ' ', link('JSON', `/reports/${r.json}`));
    const tr = row([r.startedAt, r.drill, r.verdict ?? '?', files]);
    if (r.verdict && r.verdict !== 'passed') tr.className = 'on';
    return tr;
  }));
}

function chartFigure(chart) {
  const figure = document.createElement('figure');
  figure.dataset.chart = chart.id;
  if (chart.error || !chart.svg) {
    figure.append(item(`${chart.title}: not available: ${chart.error ?? 'nothing drawn'}`, 'bad'));
    return figure;
  }
  const svg = new DOMParser().parseFromString(chart.svg, 'image/svg+xml').documentElement;
  if (svg.nodeName !== 'svg') {
    figure.append(item(`${chart.title}: the drawing could not be read`, 'bad'));
    return figure;
  }
  figure.append(document.importNode(svg, true));
  figure.dataset.drawn = String((chart.points ?? chart.spans ?? []).length);
  return figure;
}

async function refreshCharts() {
  const { status, data } = await api('GET', '/api/charts').catch((err) => ({ status: 0, data: { message: `the console does not answer (${err.message})` } }));
  if (status !== 200) {
    $('charts-status').textContent = data.message ?? `HTTP ${status}`;
    return;
  }
  $('charts').replaceChildren(...data.charts.map(chartFigure));
  const at = new Date(data.window.end).toISOString().slice(11, 19);
  $('charts-status').textContent = `until ${at} UTC, a sample every ${data.window.stepSeconds} s${data.faults.length ? `, ${data.faults.length} fault window(s)` : ''}`;
  $('charts').dataset.end = String(data.window.end);
}

async function refresh() {
  await Promise.allSettled([refreshFlags(), refreshLab(), refreshReports()]);
}

void refresh();
void refreshCharts();
setInterval(refresh, 2000);
setInterval(refreshCharts, 10000);
