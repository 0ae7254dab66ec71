// The NOC dashboard: the fleet at a glance with live updates (server-sent events read with
// fetch, so the bearer token travels in a header, never in a URL), a router's timeline, open
// swap tickets with their SLA countdown, pending guarantee claims and, in the demo, a panel that
// drives the simulator. The operator token lives in sessionStorage (this tab only).
'use strict';
(() => {
  const TOKEN_KEY = 'serviceplus.noc.token';
  const PANEL_REFRESH_MS = 30000;
  const $ = (id) => document.getElementById(id);
  const show = (el, on) => { el.hidden = !on; };
  const el = (tag, props, ...children) => {
    const node = Object.assign(document.createElement(tag), props);
    node.append(...children.filter((c) => c !== null && c !== undefined));
    return node;
  };
  const fleet = new Map();
  let token = sessionStorage.getItem(TOKEN_KEY);
  let selected = null;
  let live = null;
  let timers = [];
  let tickets = { items: [], fetchedAt: 0 };

  class Problem extends Error {
    constructor(status, body) {
      super((body && body.detail) || 'The server answered ' + status + '.');
      this.status = status;
      this.code = body && body.code;
      this.title = (body && body.title) || 'Request failed';
    }
  }

  async function api(method, path, body) {
    const headers = { authorization: 'Bearer ' + token };
    if (body) headers['content-type'] = 'application/json';
    const response = await fetch('/api/v1' + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
    const data = response.status === 204 ? null : await response.json().catch(() => null);
    if (response.status === 401) signOut('Your token was refused: ' + ((data && data.detail) || 'unauthenticated') + '.');
    if (!response.ok) throw new Problem(response.status, data);
    return data;
  }

  function showProblem(box, problem) {
    box.replaceChildren(el('strong', { textContent: problem.title }), problem.message);
    show(box, true);
  }

  // ---- formatting
  const pad = (n) => String(n).padStart(2, '0');
  const clock = (iso) => { const d = new Date(iso); return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()); };
  const dateTime = (iso) => new Date(iso).toLocaleString(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  function ago(iso) {
    if (!iso) return '—';
    const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    if (s < 60) return s + ' s ago';
    if (s < 3600) return Math.floor(s / 60) + ' min ago';
    if (s < 86400) return Math.floor(s / 3600) + ' h ' + (Math.floor(s / 60) % 60) + ' min ago';
    return Math.floor(s / 86400) + ' d ago';
  }
  function duration(ms) {
    const m = Math.max(0, Math.round(ms / 60000));
    return Math.floor(m / 60) + ' h ' + pad(m % 60) + ' min';
  }
  const rates = (down, up) => (down >= 1000 ? (down / 1000).toFixed(1) + '/' + (up / 1000).toFixed(1) + ' Mbit/s' : down + '/' + up + ' kbit/s');
  const pill = (text, kind) => el('span', { className: 'pill ' + kind, textContent: text });
  const cell = (main, sub, title) => {
    const td = el('td', title ? { title } : {}, main);
    if (sub) td.append(el('span', { className: 'sub', textContent: sub }));
    return td;
  };
  const time = (iso, text) => el('time', { dateTime: iso, title: dateTime(iso), textContent: text });

  // ---- the fleet
  async function loadFleet() {
    const items = [];
    let after = null;
    do {
      const page = await api('GET', '/devices?limit=1000' + (after ? '&after=' + encodeURIComponent(after) : ''));
      items.push(...page.items);
      after = page.next;
    } while (after);
    fleet.clear();
    for (const device of items) fleet.set(device.deviceId, device);
    renderFleet();
    show($('fleet-problem'), false);
  }

  function renderFleet() {
    const rows = [...fleet.values()].sort((a, b) => a.deviceId.localeCompare(b.deviceId)).map(row);
    $('fleet-rows').replaceChildren(...rows);
    show($('fleet-empty'), fleet.size === 0);
    summarize();
  }

  function summarize() {
    const all = [...fleet.values()];
    const online = all.filter((d) => d.presence && d.presence.state === 'online');
    const count = (path) => online.filter((d) => d.path === path).length;
    $('summary').textContent = all.length + (all.length === 1 ? ' router · ' : ' routers · ') + online.length + ' online · ' + count('dsl') + ' on DSL · ' +
      count('mobile') + ' on mobile · ' + count('none') + ' down';
  }

  function row(d) {
    const presence = d.presence ? d.presence.state : 'unknown';
    const path = presence === 'online' && d.path ? d.path : null;
    const signal = d.signal;
    const applied = d.profile.applied;
    const desired = d.profile.desired;
    // The router's ack of the latest desired state (R6: a boost counts once applied).
    const ack = desired && desired.ack && desired.ack.seq === desired.seq ? desired.ack : null;
    const pending = !desired ? null : !ack ? 'sent: ' + desired.profile + ', not yet acked' : ack.outcome === 'rejected' ? 'seq ' + desired.seq + ' rejected by the router' : null;
    const usage = d.usage;
    const button = el('button', { type: 'button', className: 'link', textContent: d.deviceId });
    button.setAttribute('aria-controls', 'timeline');
    button.addEventListener('click', () => openTimeline(d.deviceId));
    const tr = el('tr', {},
      cell(button, d.modelName + ' · ' + d.subscriptionId),
      cell(pill(presence, presence), d.presence && d.presence.reason ? d.presence.reason : null),
      cell(path ? pill({ dsl: 'DSL', mobile: 'mobile', none: 'down' }[path], path) : pill('unknown', ''), d.dsl ? 'DSL ' + d.dsl.state : null),
      cell(d.pathSince ? time(d.pathSince, ago(d.pathSince)) : '—'),
      cell(signal && signal.dbm !== null ? signal.dbm + ' dBm' : '—', signal ? [signal.technology, signal.registration, signal.modemState].filter(Boolean).join(' · ') : null),
      cell(applied ? applied.name + ' ' + rates(applied.downKbps, applied.upKbps) : '—',
        pending || (applied && applied.until ? 'until ' + dateTime(applied.until) : null), ack && ack.reason ? ack.reason : null),
      cell(usage ? (usage.totalBytes / 1e9).toFixed(2) + ' GB' : '—', usage ? Math.round(usage.totalBytes / 5e7) + ' % of 5 GB (' + usage.period + ')' : null),
      cell(d.lastSeenAt ? time(d.lastSeenAt, ago(d.lastSeenAt)) : '—'));
    tr.dataset.device = d.deviceId;
    tr.dataset.path = path || 'unknown';
    if (d.deviceId === selected) { tr.classList.add('selected'); tr.setAttribute('aria-current', 'true'); }
    return tr;
  }

  function updateDevice(deviceId, device) {
    const old = $('fleet-rows').querySelector('tr[data-device="' + CSS.escape(deviceId) + '"]');
    if (!device) {
      fleet.delete(deviceId);
      if (old) old.remove();
      return summarize();
    }
    fleet.set(deviceId, device);
    const fresh = row(device);
    fresh.classList.add('changed');
    if (old) old.replaceWith(fresh);
    else renderFleet();
    summarize();
  }

  // ---- a router's timeline
  function describe(event) {
    const d = event.details;
    switch (event.type) {
      case 'failover': case 'failback': case 'outage':
        return d.from + ' → ' + d.to + ': ' + d.reason;
      case 'profile-applied':
        return d.profile + ' ' + rates(d.downKbps, d.upKbps) + (d.until ? ' until ' + dateTime(d.until) : '');
      case 'profile-expired':
        return d.profile + ' ended';
      case 'modem-lost': case 'modem-reset':
        return (d.step ? d.step + ': ' : '') + d.reason;
      case 'modem-found':
        return [d.manufacturer, d.model].filter(Boolean).join(' ') || 'stick found';
      case 'fair-use':
        return d.thresholdPercent + ' % of the fair-use cap (' + (d.usedBytes / 1e9).toFixed(2) + ' GB)';
      default:
        return JSON.stringify(d);
    }
  }

  async function openTimeline(deviceId) {
    selected = deviceId;
    for (const tr of $('fleet-rows').children) {
      const on = tr.dataset.device === deviceId;
      tr.classList.toggle('selected', on);
      if (on) tr.setAttribute('aria-current', 'true'); else tr.removeAttribute('aria-current');
    }
    $('timeline-title').textContent = 'Timeline of ' + deviceId;
    show($('timeline'), true);
    await loadTimeline();
  }

  async function loadTimeline() {
    if (!selected) return;
    const deviceId = selected;
    const device = fleet.get(deviceId);
    $('timeline-facts').textContent = device
      ? device.modelName + (device.router ? ' (FRITZ!OS ' + device.router.firmware + ')' : '') + ' · ' + device.subscriptionId +
        (device.unavailableOnMobile.length ? ' · on mobile: ' + device.unavailableOnMobile.length + ' services unavailable (R10)' : '')
      : '';
    try {
      const { items } = await api('GET', '/devices/' + encodeURIComponent(deviceId) + '/events?limit=50');
      if (selected !== deviceId) return;
      $('timeline-events').replaceChildren(...items.map((e) =>
        el('li', {}, time(e.at, dateTime(e.at)), el('span', {}, el('span', { className: 'type', textContent: e.type }), ' ', describe(e)))));
      show($('timeline-empty'), items.length === 0);
    } catch (problem) {
      $('timeline-facts').textContent = 'Could not load the timeline: ' + problem.message;
    }
  }

  $('timeline-close').addEventListener('click', () => {
    selected = null;
    show($('timeline'), false);
    for (const tr of $('fleet-rows').children) { tr.classList.remove('selected'); tr.removeAttribute('aria-current'); }
  });

  // ---- live updates: server-sent events over fetch, reconnecting with a growing pause
  function connectLive() {
    const controller = new AbortController();
    const state = { controller, retryMs: 1000, timer: 0, heartbeatMs: 15000 };
    live = state;
    const status = $('live-state');
    const mark = (text, on) => { status.textContent = text; status.classList.toggle('live', on); show(status, true); };

    async function run() {
      mark('Connecting…', false);
      // A connection that went silent (no event, no heartbeat) is dropped and made again.
      const attempt = new AbortController();
      const stop = () => attempt.abort();
      controller.signal.addEventListener('abort', stop);
      let heard = Date.now();
      const watchdog = setInterval(() => { if (Date.now() - heard > state.heartbeatMs * 2.5) attempt.abort(); }, 5000);
      try {
        const response = await fetch('/api/v1/live', { headers: { authorization: 'Bearer ' + token, accept: 'text/event-stream' }, signal: attempt.signal, cache: 'no-store' });
        if (response.status === 401) return signOut('Your token was refused.');
        if (!response.ok || !response.body) throw new Error('live updates answered ' + response.status);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          heard = Date.now();
          buffer += value;
          let end;
          while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
            dispatch(block);
          }
        }
      } catch {
        // dropped: try again below
      } finally {
        clearInterval(watchdog);
        controller.signal.removeEventListener('abort', stop);
      }
      if (controller.signal.aborted) return;
      mark('Reconnecting in ' + Math.round(state.retryMs / 1000) + ' s…', false);
      state.timer = setTimeout(run, state.retryMs);
      state.retryMs = Math.min(state.retryMs * 2, 15000);
    }

    function dispatch(block) {
      let event = 'message';
      let data = '';
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data += (data ? '\n' : '') + value;
      }
      if (!data) return;
      const message = JSON.parse(data);
      if (event === 'hello') {
        state.retryMs = 1000;
        if (message.heartbeatMs > 0) state.heartbeatMs = message.heartbeatMs;
        mark('Live', true);
        // Whatever happened while disconnected: start from the current fleet.
        loadFleet().then(loadTimeline, (problem) => showProblem($('fleet-problem'), problem));
      } else if (event === 'device') {
        updateDevice(message.deviceId, message.device);
        if (message.deviceId === selected) loadTimeline();
      }
    }

    run();
  }

  // ---- swap tickets (R12) and guarantee claims (R16), from their own routes when the server has them
  function table(headings, rows) {
    return el('table', {},
      el('thead', {}, el('tr', {}, ...headings.map((h) => el('th', { scope: 'col', textContent: h })))),
      el('tbody', {}, ...rows));
  }

  async function loadPanel(box, path, render, empty, missing) {
    try {
      const data = await api('GET', path);
      const items = Array.isArray(data) ? data : data.items || [];
      box.replaceChildren(items.length ? render(items) : el('p', { className: 'note', textContent: empty }));
      return items;
    } catch (problem) {
      const text = problem.status === 404 && problem.code === 'not-found' ? missing : 'Could not load: ' + problem.message;
      box.replaceChildren(el('p', { className: 'note', textContent: text }));
      return [];
    }
  }

  function ticking(ticket, fetchedAt) {
    // Business time runs only while the helpdesk is open: count down locally only when the
    // deadline is as far away in wall time as in business time (open until then).
    const left = ticket.businessTimeLeftMs;
    const wall = Date.parse(ticket.deadline) - fetchedAt;
    return typeof left === 'number' && Math.abs(wall - left) < 60000;
  }

  function renderTickets(items) {
    return table(['Equipment', 'Subscription', 'Stage', 'Deadline (R12)', 'SLA'], items.map((t) => {
      const left = el('span', { className: 'sub countdown' });
      left.dataset.ticket = t.id;
      const deadline = cell(time(t.deadline, dateTime(t.deadline)));
      deadline.append(el('span', { className: 'sub' }, 'reported ', time(t.reportedAt, dateTime(t.reportedAt))));
      return el('tr', {},
        cell(t.equipment === 'stick' ? 'UMTS stick' : 'Router', 'ticket ' + t.id),
        cell(t.subscription.reference, t.defectiveDeviceId),
        cell(t.stage, t.technicianId ? 'technician ' + t.technicianId : null),
        deadline,
        el('td', {}, pill(t.slaStatus, t.slaStatus), left));
    }));
  }

  function tickCountdowns() {
    for (const span of document.querySelectorAll('.countdown')) {
      const ticket = tickets.items.find((t) => t.id === span.dataset.ticket);
      if (!ticket) continue;
      if (ticket.slaSettled) {
        span.textContent = ticket.onSiteAt ? 'on site ' + dateTime(ticket.onSiteAt) : 'settled';
        continue;
      }
      const elapsed = ticking(ticket, tickets.fetchedAt) ? Date.now() - tickets.fetchedAt : 0;
      const left = ticket.businessTimeLeftMs - elapsed;
      span.textContent = left > 0 ? duration(left) + ' business time left' : 'deadline passed';
    }
  }

  async function loadTickets() {
    const fetchedAt = Date.now();
    const items = await loadPanel($('tickets'), '/swap-tickets?status=open', renderTickets, 'No open swap tickets.', 'Swap tickets are not available on this server yet.');
    tickets = { items, fetchedAt };
    tickCountdowns();
  }

  function renderClaims(items) {
    return table(['Claim', 'Subscription', 'Month', 'Claimed', 'Verdict'], items.map((c) => el('tr', {},
      cell(c.id, c.statement), cell(c.subscription.reference), cell(c.period),
      cell(time(c.claimedAt, dateTime(c.claimedAt))),
      cell(pill(c.verdict, c.verdict === 'eligible' ? 'ok' : c.verdict === 'undecidable' ? 'at-risk' : ''), c.reason))));
  }

  const loadClaims = () => loadPanel($('claims'), '/guarantee-claims?status=pending', renderClaims, 'No pending guarantee claims.', 'Guarantee claims are not available on this server yet.');

  // ---- the demo's simulator panel
  function describeSimulator(state) {
    if (!state) return;
    $('simulator-state').textContent = 'DSL ' + state.dsl + ' · stick ' + state.stick +
      (state.signalDbm === null ? ' · no signal' : ' · ' + state.signalDbm + ' dBm') + (state.mobileSession ? ' · mobile session up' : '');
  }

  async function loadDemo() {
    let demo = { enabled: false, simulator: null };
    try {
      demo = await api('GET', '/demo');
    } catch {
      // an older server without the demo routes: no panel
    }
    show($('simulator'), Boolean(demo.enabled));
    describeSimulator(demo.simulator);
  }

  async function simulate(command, label) {
    const status = $('simulator-status');
    status.textContent = label + '…';
    try {
      describeSimulator((await api('POST', '/demo/sim', command)).simulator);
      status.textContent = label + ': done at ' + clock(new Date().toISOString()) + '.';
    } catch (problem) {
      status.textContent = label + ' failed: ' + problem.message;
    }
  }

  for (const button of document.querySelectorAll('[data-sim]')) {
    button.addEventListener('click', () => simulate(JSON.parse(button.dataset.sim), button.textContent));
  }
  $('signal-set').addEventListener('click', () => {
    const value = $('signal').value;
    simulate({ action: 'signal', dbm: value === 'none' ? null : Number(value) }, 'Signal ' + $('signal').selectedOptions[0].textContent);
  });

  // ---- signing in and out
  function start() {
    show($('sign-in'), false);
    show($('dashboard'), true);
    show($('sign-out'), true);
    connectLive();
    loadTickets();
    loadClaims();
    loadDemo();
    timers = [
      setInterval(() => { loadTickets(); loadClaims(); }, PANEL_REFRESH_MS),
      setInterval(tickCountdowns, 1000),
      setInterval(() => { if (!live || !$('live-state').classList.contains('live')) return; for (const t of document.querySelectorAll('#fleet-rows time')) t.textContent = ago(t.dateTime); }, 10000),
    ];
  }

  function signOut(message) {
    token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    if (live) { live.controller.abort(); clearTimeout(live.timer); live = null; }
    timers.forEach(clearInterval);
    timers = [];
    fleet.clear();
    selected = null;
    show($('dashboard'), false);
    show($('sign-out'), false);
    show($('live-state'), false);
    show($('timeline'), false);
    $('summary').textContent = '';
    show($('sign-in'), true);
    if (message) showProblem($('sign-in-problem'), new Problem(401, { title: 'Signed out', detail: message }));
    $('token').focus();
  }

  $('sign-in-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = $('sign-in-form').querySelector('button');
    button.disabled = true;
    show($('sign-in-problem'), false);
    token = $('token').value.trim();
    try {
      await api('GET', '/devices?limit=1');
      sessionStorage.setItem(TOKEN_KEY, token);
      $('token').value = '';
      start();
    } catch (problem) {
      token = null;
      showProblem($('sign-in-problem'), problem);
    } finally {
      button.disabled = false;
    }
  });
  $('sign-out').addEventListener('click', () => signOut(null));

  if (token) start();
  else signOut(null);
})();
