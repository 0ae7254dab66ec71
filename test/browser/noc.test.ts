// The NOC dashboard in real headless Chromium against the real chain: sign in with an operator
// token (kept in sessionStorage, never in a URL), the fleet with presence, path, signal,
// profile and usage, live updates without reloading when the simulator (driven from the demo
// panel) cuts DSL or weakens the signal, a router's timeline, and the swap-ticket and
// guarantee-claim panels.
import { mkdirSync } from 'node:fs';
import t from 'tap';
import type { Page } from 'playwright-core';
import { chromiumMissing, measureFirstLoad, newPage, SCREENSHOTS, withBrowser } from './helpers/browser.js';
import { startSystem } from './helpers/system.js';

const skip = chromiumMissing();

async function waitText(page: Page, selector: string, expected: RegExp, timeoutMs = 30_000): Promise<string> {
  const locator = page.locator(selector);
  await locator.filter({ hasText: expected }).first().waitFor({ state: 'visible', timeout: timeoutMs });
  return (await locator.first().textContent()) ?? '';
}

t.test('the NOC dashboard', { skip: skip ?? false }, async (t) => {
  const [system, browser] = await withBrowser(t, startSystem(t, { demoPanel: true }));
  mkdirSync(SCREENSHOTS, { recursive: true });
  const { deviceId } = system;
  const row = `#fleet-rows tr[data-device="${deviceId}"]`;

  await system.deviceWhere('the router on DSL with the stick standing by', (d) => d.path === 'dsl' && d.signal?.modemState === 'registered');
  // R12 and R16: the helpdesk opened a swap ticket and took a guarantee claim for this month.
  const { server, seeded } = system;
  const ticket = await server.call('POST', `/api/v1/subscriptions/${seeded.subscriptionId}/swap-tickets`, {
    token: server.tokens.helpdesk,
    body: { equipment: 'stick', description: 'The stick does not register any more.' },
  });
  t.equal(ticket.statusCode, 201, `swap ticket opened: ${ticket.body}`);
  const period = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7);
  const claim = await server.call('POST', `/api/v1/subscriptions/${seeded.subscriptionId}/guarantee-claims`, {
    token: server.tokens.helpdesk,
    body: { period, statement: 'Offline all afternoon.' },
  });
  t.equal(claim.statusCode, 201, `claim taken: ${claim.body}`);
  const claimed = claim.json() as { id: string; status: string; verdict: string };
  const { page, errors } = await newPage(browser);
  const requested: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  let navigations = 0;
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations++;
  });

  await t.test('the first load is small too', async (t) => {
    const load = await measureFirstLoad(page, `${system.url}/noc`);
    t.comment(`NOC page first load: ${load.bytes} bytes in ${load.requests.length} requests`);
    t.ok(load.bytes < 50 * 1024, `first load ${load.bytes} bytes < 50 KB`);
  });

  await t.test('sign in with an operator token; the fleet at a glance', async (t) => {
    await page.getByLabel('Operator token').fill('spo_not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    t.match(await waitText(page, '#sign-in-problem', /unknown/), /unknown, revoked or expired/, 'a wrong token is refused readably');

    await page.getByLabel('Operator token').fill(system.server.tokens.noc);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitText(page, '#live-state', /^Live$/);
    await page.locator(row).waitFor();
    t.equal(await page.locator(row).getAttribute('data-path'), 'dsl');
    const cells = await page.locator(`${row} td`).allTextContents();
    t.match(cells, [new RegExp(deviceId), /^online/, /^DSL/, /ago$/, /^-73 dBm/, /^baseline 128\/64 kbit\/s/, /GB|—/, /ago$/], `the row: ${cells.join(' | ')}`);
    t.equal(await page.evaluate<string | null>("sessionStorage.getItem('serviceplus.noc.token')"), system.server.tokens.noc, 'the token is kept for this tab');
    t.equal(await page.getByRole('columnheader', { name: 'Signal' }).count(), 1, 'a real table with column headers');
  });

  await t.test('the simulator panel cuts DSL: the row turns to mobile without a reload', async (t) => {
    await page.evaluate('window.sameDocument = true');
    const navigationsBefore = navigations;
    const listsBefore = requested.filter((url) => /\/api\/v1\/devices\?/.test(url)).length;
    await page.getByRole('heading', { name: 'Demo simulator' }).waitFor();
    await page.getByRole('button', { name: 'Cut DSL' }).click();
    await waitText(page, '#simulator-status', /Cut DSL: done/);
    t.match(await page.locator('#simulator-state').textContent(), /^DSL down · stick plugged/, 'the simulator state after the action');
    await page.locator(`${row}[data-path="mobile"]`).waitFor({ timeout: 30_000 });
    t.pass('the row shows mobile');
    t.match(await page.locator(`${row} td`).nth(2).textContent(), /^mobileDSL down/);
    t.equal(await page.evaluate<boolean | undefined>('window.sameDocument'), true, 'the same document: no reload');
    t.equal(navigations, navigationsBefore, 'no navigation');
    t.equal(requested.filter((url) => /\/api\/v1\/devices\?/.test(url)).length, listsBefore, 'the fleet was not fetched again: the row came from the live stream');
    t.match(await waitText(page, '#summary', /1 on mobile/), /1 router · 1 online · 0 on DSL · 1 on mobile · 0 down/);

    await page.getByLabel('Stick signal').selectOption('-95');
    await page.getByRole('button', { name: 'Set signal' }).click();
    t.match(await waitText(page, `${row} td:nth-child(5)`, /^-95 dBm/), /^-95 dBm/, 'a weaker signal shows up live');
  });

  await t.test("a router's timeline", async (t) => {
    await page.getByRole('button', { name: deviceId }).click();
    t.equal(await waitText(page, '#timeline-title', /Timeline/), `Timeline of ${deviceId}`);
    const failover = await waitText(page, '#timeline-events li', /failover/);
    t.ok(failover, 'the failover is on the timeline');
    t.match(await page.locator('#timeline-events').textContent(), /failover dsl → mobile/);
    t.match(await page.locator('#timeline-facts').textContent(), /FRITZ!Box 7490.*on mobile: 5 services unavailable \(R10\)/);
    t.equal(await page.locator(row).getAttribute('aria-current'), 'true', 'the selected row is marked');
  });

  await t.test('R12: the open swap ticket with its SLA countdown; R16: the pending claim', async (t) => {
    const { id } = ticket.json() as { id: string };
    const cells = await page.locator('#tickets tbody tr').filter({ hasText: id }).locator('td').allTextContents();
    t.match(cells, [new RegExp(`^UMTS stickticket ${id}$`), new RegExp(`^SP-104217${deviceId}$`), /^reported/, /^\d+ \w+, [\d:]+reported \d+ \w+, [\d:]+$/, /^(ok|at-risk|breached)/], `the ticket: ${cells.join(' | ')}`);
    t.match(await waitText(page, '#tickets .countdown', /left|passed/), /^\d+ h \d\d min business time left$|^deadline passed$/, 'the countdown');
    if (claimed.status === 'pending') {
      t.match(await page.locator('#claims tbody tr').filter({ hasText: claimed.id }).textContent(), new RegExp(`${period}.*${claimed.verdict}`), 'the pending claim with its verdict');
    } else {
      t.match(await page.locator('#claims').textContent(), /No pending guarantee claims/, `the claim was decided at once (${claimed.verdict})`);
    }
  });

  await t.test('the live stream reconnects after the network dropped, and catches up', async (t) => {
    // The connection drops (the server side closes every socket) and cannot be made again for a while.
    await page.route('**/api/v1/live', (route) => route.abort('connectionreset'));
    system.server.server.app.server.closeAllConnections();
    t.match(await waitText(page, '#live-state', /Reconnecting/), /^Reconnecting in \d+ s…$/);
    await system.sim.stick!.setSignal(-73);
    await system.deviceWhere('the stronger signal at the server', (d) => d.signal?.dbm === -73);
    t.match(await page.locator(`${row} td:nth-child(5)`).textContent(), /^-95 dBm/, 'not seen while disconnected');
    await page.unroute('**/api/v1/live');
    await waitText(page, '#live-state', /^Live$/);
    t.match(await waitText(page, `${row} td:nth-child(5)`, /^-73 dBm/), /^-73 dBm/, 'what changed while offline is shown');
    await page.getByLabel('Stick signal').selectOption('-95');
    await page.getByRole('button', { name: 'Set signal' }).click();
    t.match(await waitText(page, `${row} td:nth-child(5)`, /^-95 dBm/), /^-95 dBm/, 'and live updates flow again');
  });

  await t.test('screenshot: a router on mobile with its timeline open', async () => {
    await page.mouse.move(0, 0);
    await page.evaluate('window.scrollTo(0, 0)');
    await waitText(page, '#timeline-events', /profile-applied|failover/);
    await page.screenshot({ path: `${SCREENSHOTS}noc-dashboard.png`, animations: 'disabled' });
  });

  await t.test('the token never travels in a URL; signing out forgets it', async (t) => {
    t.same(requested.filter((url) => url.includes(system.server.tokens.noc)), [], 'no request URL holds the token');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Operator token').waitFor();
    t.equal(await page.evaluate<string | null>("sessionStorage.getItem('serviceplus.noc.token')"), null);
    t.same(errors, [], 'no script errors');
    await page.context().close();
  });
});
