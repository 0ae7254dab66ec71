// The customer's self-service page (R6): log in, see the connection, request a boost and see it
// confirmed once the router applied it. Plain script for slow lines (128 kbit/s): no framework,
// same-origin requests only, the session in an HttpOnly cookie set by POST /api/v1/sessions.
'use strict';
(() => {
  const REFRESH_MS = 5000;
  const BOOST_POLL_MS = 1000;
  const BOOST_WAIT_MS = 180000;
  const $ = (id) => document.getElementById(id);
  const show = (el, on) => { el.hidden = !on; };
  let subscriptionId = null;
  let refreshTimer = 0;
  let waitingFor = null;

  class Problem extends Error {
    constructor(status, body) {
      super((body && body.detail) || 'The server answered ' + status + '.');
      this.status = status;
      this.title = body && body.title ? readable(body.title) : 'That did not work';
      this.code = body && body.code;
    }
  }

  // Problem titles cite the service rules ("R7: …"); the customer reads the sentence.
  function readable(title) {
    const text = title.replace(/^R\d+:\s*/, '');
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  async function api(method, path, body) {
    let response;
    try {
      response = await fetch('/api/v1' + path, {
        method,
        credentials: 'same-origin',
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
      });
    } catch {
      throw new Problem(0, { title: 'No connection to ServicePlus', detail: 'Check your connection; the page tries again by itself.' });
    }
    const data = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) throw new Problem(response.status, data);
    return data;
  }

  function showProblem(el, problem) {
    el.replaceChildren();
    const strong = document.createElement('strong');
    strong.textContent = problem.title;
    el.append(strong, document.createTextNode(problem.message));
    show(el, true);
  }

  const time = (iso) => new Date(iso).toLocaleString(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
  const since = (iso) => (new Date(iso).toDateString() === new Date().toDateString()
    ? new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : time(iso));
  const rate = (kbps) => (kbps >= 1000 ? (kbps / 1000).toFixed(1) + ' Mbit/s' : kbps + ' kbit/s');
  const gb = (bytes) => (bytes / 1e9).toFixed(2) + ' GB';

  function loggedOut(message) {
    subscriptionId = null;
    clearTimeout(refreshTimer);
    show($('overview'), false);
    show($('logout'), false);
    show($('login-section'), true);
    if (message) showProblem($('login-problem'), new Problem(401, { title: 'Please log in again', detail: message }));
    $('login').focus();
  }

  function loggedIn(id) {
    subscriptionId = id;
    show($('login-section'), false);
    show($('login-problem'), false);
    show($('overview'), true);
    show($('logout'), true);
    refresh();
  }

  async function refresh() {
    clearTimeout(refreshTimer);
    if (!subscriptionId) return;
    try {
      render(await api('GET', '/subscriptions/' + encodeURIComponent(subscriptionId)));
    } catch (problem) {
      if (problem.status === 401) return loggedOut('Your session has ended.');
      $('updated').textContent = 'failed: ' + problem.message;
    }
    refreshTimer = setTimeout(refresh, document.hidden ? REFRESH_MS * 6 : REFRESH_MS);
  }

  function render(o) {
    const path = o.connection.online ? o.connection.path : null;
    const state = path === 'dsl' ? 'dsl' : path === 'mobile' ? 'mobile' : 'down';
    const from = o.connection.since ? ' since ' + since(o.connection.since) : '';
    const pathEl = $('path');
    pathEl.dataset.state = state;
    pathEl.textContent = { dsl: 'On DSL', mobile: 'On mobile', down: 'Down' }[state] + from;
    $('path-note').textContent = {
      dsl: 'Your DSL line works. The mobile stick stands by for an outage.',
      mobile: 'Your DSL line is down; the mobile stick keeps you online.',
      down: o.connection.online ? 'Neither DSL nor the mobile stick has a connection.' : 'Your router is not reaching ServicePlus.',
    }[state];

    const speed = o.speed;
    if (speed && speed.suspended) $('speed').textContent = 'Suspended: no mobile data';
    else if (state === 'dsl') $('speed').textContent = 'Your DSL speed (on mobile: ' + rate(speed ? speed.downKbps : 128) + ')';
    else if (speed) $('speed').textContent = rate(speed.downKbps) + ' down, ' + rate(speed.upKbps) + ' up (' + (speed.profile === 'boost' ? 'boost' : 'baseline') + ')';
    else $('speed').textContent = 'Unknown';
    $('until').textContent = speed && speed.until ? time(speed.until) : 'No end (baseline speed)';
    $('boosts-left').textContent = o.quota.remaining + ' of ' + o.quota.limit;
    const fair = o.fairUse;
    // R9: warned at 80 %; at the cap the line holds at the baseline (no boost) until next month.
    $('data-used').textContent = gb(fair.usedBytes) + ' of ' + gb(fair.capBytes).replace('.00', '') + ' (' + Math.round(fair.percent) + ' %)' +
      (fair.level === 'capped' ? ': the fair-use limit is reached' : fair.level === 'warning' ? ': close to the fair-use limit' : '');
    $('data-meter').value = Math.min(100, fair.percent);

    const list = $('unavailable-list');
    list.replaceChildren(...o.unavailableOnMobile.map((service) => Object.assign(document.createElement('li'), { textContent: service })));
    show($('unavailable'), o.unavailableOnMobile.length > 0);
    if (!$('email').value && o.customer && o.customer.email) $('email').value = o.customer.email;
    if (o.boost && o.boost.inForce && !waitingFor) describeBoost(o.boost);
    else if (!o.boost && !waitingFor) setStatus('', false);
    $('updated').textContent = new Date().toLocaleTimeString();
  }

  function setStatus(text, done) {
    const el = $('boost-status');
    el.textContent = text;
    el.classList.toggle('done', done);
  }

  function describeBoost(boost) {
    if (boost.status === 'applied') {
      setStatus('Boost applied: 3.6 Mbit/s until ' + time(boost.endsAt) + '.' + (boost.confirmationTo ? ' A confirmation went to ' + boost.confirmationTo + '.' : ''), true);
    } else if (boost.status === 'requested') {
      setStatus('Boost requested; waiting for your router to confirm it…', false);
    } else if (boost.status === 'rejected') {
      setStatus('', false);
      showProblem($('boost-problem'), new Problem(409, { title: 'Your router could not raise the speed', detail: 'The boost was not counted. Please try again later or call the helpdesk.' }));
    } else {
      setStatus('The boost has ended.', false);
    }
  }

  // R6: confirmed when the router has applied it, not when it was requested.
  async function waitUntilApplied(boost) {
    waitingFor = boost.id;
    const deadline = Date.now() + BOOST_WAIT_MS;
    try {
      while (boost.status === 'requested' && Date.now() < deadline && subscriptionId) {
        await new Promise((resolve) => setTimeout(resolve, BOOST_POLL_MS));
        try {
          boost = await api('GET', '/boosts/' + encodeURIComponent(boost.id));
        } catch (problem) {
          if (problem.status === 401) return loggedOut('Your session has ended.');
        }
      }
    } finally {
      waitingFor = null;
    }
    if (boost.status === 'requested') setStatus('Still waiting for your router; the e-mail follows once the speed is raised.', false);
    else describeBoost(boost);
    refresh();
  }

  $('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = event.submitter || $('login-form').querySelector('button');
    button.disabled = true;
    show($('login-problem'), false);
    try {
      const session = await api('POST', '/sessions', { login: $('login').value, password: $('password').value });
      $('password').value = '';
      loggedIn(session.subscriptionId);
    } catch (problem) {
      showProblem($('login-problem'), problem);
    } finally {
      button.disabled = false;
    }
  });

  $('boost-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = $('boost-form').querySelector('button');
    button.disabled = true;
    show($('boost-problem'), false);
    setStatus('Requesting a boost…', false);
    try {
      const result = await api('POST', '/subscriptions/' + encodeURIComponent(subscriptionId) + '/boosts', { email: $('email').value });
      if (result.boost.status === 'requested') await waitUntilApplied(result.boost);
      else describeBoost(result.boost);
      // R7: asking again while a boost is on uses nothing up.
      if (!result.created) setStatus('A boost was already on; this used none of your boosts. ' + $('boost-status').textContent, result.boost.status === 'applied');
    } catch (problem) {
      setStatus('', false);
      if (problem.status === 401) loggedOut('Your session has ended.');
      else showProblem($('boost-problem'), problem);
    } finally {
      button.disabled = false;
    }
  });

  $('logout').addEventListener('click', async () => {
    await api('DELETE', '/sessions/current').catch(() => {});
    loggedOut(null);
  });

  document.addEventListener('visibilitychange', () => { if (!document.hidden && subscriptionId) refresh(); });

  api('GET', '/sessions/current').then((session) => loggedIn(session.subscriptionId), () => loggedOut(null));
})();
