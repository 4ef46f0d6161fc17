/**
 * The web view's page: static HTML and CSS, and a script that fetches `/state.json` every second
 * and lays it out. Every value goes in with `textContent` (service names come from a user's
 * configuration); nothing on the page can change the demo.
 */

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>failover-controller local demo</title>
<link rel="stylesheet" href="/app.css">
<script src="/app.js" defer></script>
</head>
<body>
<header>
  <h1>failover-controller local demo</h1>
  <p id="status" role="status">connecting…</p>
</header>
<main>
  <section id="services" aria-label="services"></section>
  <section aria-labelledby="events-title">
    <h2 id="events-title">Last events</h2>
    <ol id="events" reversed></ol>
  </section>
</main>
</body>
</html>
`;

export const PAGE_STYLE = `
:root { color-scheme: light; font-family: system-ui, sans-serif; background: #f4f5f7; color: #1d2330; }
body { margin: 0 auto; max-width: 1100px; padding: 16px 24px; }
header { display: flex; align-items: baseline; justify-content: space-between; gap: 16px; }
h1 { font-size: 1.4rem; margin: 8px 0; }
h2 { font-size: 1.1rem; margin: 0 0 8px; }
#status { color: #5a6272; margin: 0; }
#status.lost { color: #b3261e; font-weight: 600; }
.service { background: #fff; border: 1px solid #d8dce3; border-radius: 8px; padding: 12px 16px; margin: 12px 0; }
.service header { justify-content: flex-start; }
.phase { font-weight: 700; padding: 2px 10px; border-radius: 12px; background: #e3e6ec; }
.phase.on-first { background: #2e7d32; color: #fff; }
.phase.elsewhere { background: #ef6c00; color: #fff; }
.phase.moving { background: #f9a825; color: #1d2330; }
.phase.waiting { background: #e3e6ec; color: #5a6272; }
.record, .meta { color: #5a6272; margin: 4px 0; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eef0f3; }
tr.active th::after { content: ' ← traffic'; color: #2e7d32; font-weight: 400; }
.health { font-weight: 700; border-radius: 4px; padding: 1px 8px; }
.health.up { background: #2e7d32; color: #fff; }
.health.down { background: #c62828; color: #fff; }
.health.unknown { background: #f9a825; color: #1d2330; }
.dns code { font-size: 0.95rem; }
.dns .answer { font-weight: 700; }
.flags { color: #b3261e; font-weight: 700; }
.vantages .verdict { font-weight: 700; }
.vantages .verdict.lost { color: #b3261e; }
.vantages tr.disagrees td, .vantages tr.blind td, .vantages tr.stale td { color: #b3261e; }
td.weight.drained { color: #b3261e; }
p.ramp { color: #8a6d00; }
#events { font-family: ui-monospace, monospace; font-size: 0.9rem; padding-left: 24px; }
#events li { padding: 1px 0; }
`;

export const PAGE_SCRIPT = `'use strict';
const REFRESH_MS = 1000;

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

// Active-active: every target with weight carries traffic; a drained one shows 0 of its share.
function carries(service, target) {
  return target.weight === null ? service.active === target.target : target.weight.decided > 0;
}

function targetRow(service, target) {
  const row = el('tr', { class: carries(service, target) ? 'active' : '', 'data-target': target.target });
  row.append(
    el('th', { scope: 'row' }, target.target),
    el('td', {}, target.setIdentifier),
    ...(target.weight === null
      ? []
      : [el('td', { class: 'weight' + (target.weight.decided === 0 ? ' drained' : '') }, target.weight.decided + ' of ' + target.weight.configured)]),
    el('td', {}, el('span', { class: 'health ' + target.status }, target.status)),
    el('td', { class: 'streak' }, target.streak),
    el('td', { class: 'reason' }, target.reason),
  );
  return row;
}

// Green on the most preferred target, orange on any other, yellow while traffic moves.
function phaseKind(service) {
  if (service.phase === null) return 'waiting';
  if (service.phase === 'failing-over' || service.phase === 'failing-back') return 'moving';
  if (service.mode === 'active-active') {
    if (service.phase !== 'active-active') return 'moving';
    return service.targets.every((target) => target.weight === null || target.weight.decided > 0) ? 'on-first' : 'elsewhere';
  }
  return service.active === service.targets[0]?.target ? 'on-first' : 'elsewhere';
}

// With vantages: the quorum's verdict, then a row per vantage with its latest vote and its age.
function vantagesPart(service) {
  const vantages = service.vantages;
  if (vantages === null) return '';
  const rowClass = (vote) =>
    vote.disagrees.length > 0 ? 'disagrees' : vote.stale ? 'stale' : vote.kind === 'blind' ? 'blind' : vote.kind;
  return el(
    'div',
    { class: 'vantages' },
    el('p', { class: 'verdict' + (vantages.lost ? ' lost' : '') }, vantages.verdict),
    el(
      'table',
      {},
      el('thead', {}, el('tr', {}, el('th', {}, 'vantage'), el('th', {}, 'latest vote'))),
      el(
        'tbody',
        {},
        ...vantages.votes.map((vote) =>
          el('tr', { class: rowClass(vote), 'data-vantage': vote.vantage }, el('th', { scope: 'row' }, vote.vantage), el('td', { class: 'vote' }, vote.text)),
        ),
      ),
    ),
  );
}

function serviceCard(service) {
  const phase = service.phase ?? 'waiting for the first watchdog round';
  const meta = service.phase === null ? '' : 'epoch ' + service.epoch + ' · ' + service.flip;
  const answer = service.dns.answer.length > 0 ? service.dns.answer.join(', ') : 'no answer';
  return el(
    'article',
    { class: 'service', 'data-service': service.name },
    el(
      'header',
      {},
      el('h2', {}, service.name),
      el('span', { class: 'phase ' + phaseKind(service), 'data-phase': service.phase ?? 'waiting' }, phase),
      el('span', { class: 'flags' }, service.flags.join(' ')),
    ),
    el('p', { class: 'record' }, service.record + ' in zone ' + service.zone),
    el(
      'table',
      {},
      el('thead', {}, el('tr', {}, el('th', {}, 'target'), el('th', {}, 'set'), ...(service.mode === 'active-active' ? [el('th', {}, 'weight')] : []), el('th', {}, 'health'), el('th', {}, 'streak'), el('th', {}, 'last failure'))),
      el('tbody', {}, ...service.targets.map((target) => targetRow(service, target))),
    ),
    service.ramp === null ? '' : el('p', { class: 'ramp' }, 'ramp: ' + service.ramp),
    vantagesPart(service),
    el('p', { class: 'dns' }, 'DNS answer: ', el('span', { class: 'answer' }, answer), ' ', el('code', {}, '(' + service.dns.query + ')')),
    el('p', { class: 'meta' }, meta),
  );
}

function render(snapshot) {
  document.getElementById('services').replaceChildren(...snapshot.services.map(serviceCard));
  document.getElementById('events').replaceChildren(...snapshot.events.map((line) => el('li', {}, line)));
  const status = document.getElementById('status');
  status.className = snapshot.error === null ? '' : 'lost';
  status.textContent =
    snapshot.error !== null
      ? 'cannot read the state table: ' + snapshot.error
      : snapshot.readAt === null
        ? 'waiting for the first reading'
        : 'state read at ' + new Date(snapshot.readAt).toLocaleTimeString('en-GB', { hour12: false });
}

async function refresh() {
  try {
    const response = await fetch('/state.json', { cache: 'no-store' });
    if (!response.ok) throw new Error('HTTP ' + response.status);
    render(await response.json());
  } catch (error) {
    const status = document.getElementById('status');
    status.className = 'lost';
    status.textContent = 'the demo does not answer (' + error.message + '); is it still running?';
  } finally {
    setTimeout(refresh, REFRESH_MS);
  }
}

refresh();
`;
