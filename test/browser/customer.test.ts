// The customer's self-service page (R6) in real headless Chromium against the real chain
// (server, embedded broker, firmware simulator, agent): log in, see "on mobile" once the
// simulator cuts DSL, boost and see the new speed once the router applied it, and the third
// boost of the month refused with a readable reason (R7). Also: the first load's weight.
import { mkdirSync } from 'node:fs';
import t from 'tap';
import type { Page } from 'playwright-core';
import { chromiumMissing, measureFirstLoad, newPage, SCREENSHOTS, withBrowser } from './helpers/browser.js';
import { startSystem, type System } from './helpers/system.js';

const skip = chromiumMissing();

/** The text of an element once it matches, waiting for the page to get there. */
async function textOf(page: Page, selector: string, expected: RegExp, timeoutMs = 30_000): Promise<string> {
  const locator = page.locator(selector);
  await locator.filter({ hasText: expected }).waitFor({ state: 'visible', timeout: timeoutMs });
  return (await locator.textContent()) ?? '';
}

async function cancelBoostInForce(system: System): Promise<void> {
  const { server, seeded } = system;
  const response = await server.call('GET', `/api/v1/subscriptions/${seeded.subscriptionId}/boosts`, { token: server.tokens.helpdesk });
  const boost = (response.json() as { items: Array<{ id: string; inForce: boolean }> }).items.find((b) => b.inForce);
  if (!boost) throw new Error('no boost in force to cancel');
  const cancelled = await server.call('POST', `/api/v1/boosts/${boost.id}/cancel`, { token: server.tokens.helpdesk });
  if (cancelled.statusCode !== 200) throw new Error(`cancel answered ${cancelled.statusCode}: ${cancelled.body}`);
}

t.test('the customer page at the baseline speed', { skip: skip ?? false }, async (t) => {
  const [system, browser] = await withBrowser(t, startSystem(t));
  mkdirSync(SCREENSHOTS, { recursive: true });

  const { page, errors } = await newPage(browser);

  await t.test('R6: the first load is light enough for 128 kbit/s', async (t) => {
    const load = await measureFirstLoad(page, `${system.url}/`);
    t.comment(`customer page first load: ${load.bytes} bytes in ${load.requests.length} requests (${load.requests.map((r) => `${new URL(r.url).pathname} ${r.bytes}`).join(', ')})`);
    const paths = load.requests.map((r) => new URL(r.url).pathname);
    t.ok(['/', '/assets/common.css', '/assets/customer.css', '/assets/customer.js'].every((p) => paths.includes(p)), 'the page, its styles and script were all counted');
    t.ok(load.bytes < 50 * 1024, `first load ${load.bytes} bytes < 50 KB (under 4 s at 128 kbit/s)`);
  });

  await system.deviceWhere('the router on DSL with the stick standing by', (d) => d.path === 'dsl' && d.signal?.modemState === 'registered');

  await t.test('log in with login name and password; the connection is on DSL', async (t) => {
    await page.getByLabel('Login name').fill(system.customer.login);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Log in' }).click();
    t.match(await textOf(page, '#login-problem', /wrong/), /login name or the password is wrong/i, 'a wrong password is refused readably');

    await page.getByLabel('Password').fill(system.customer.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    t.match(await textOf(page, '#path', /On DSL/), /^On DSL since /);
    t.equal(await page.locator('#boosts-left').textContent(), '2 of 2');
    t.match(await page.locator('#data-used').textContent(), /^0\.\d\d GB of 5 GB \(\d+ %\)$/, 'mobile data against the 5 GB cap (R9)');
    t.equal(await page.locator('#unavailable').isVisible(), false, 'no R10 list while on DSL');
    t.equal(await page.getByLabel('E-mail address for the confirmation').inputValue(), system.customer.email, 'the e-mail prefilled');
  });

  await t.test('R7: a boost while on DSL is refused with the reason', async (t) => {
    await page.getByRole('button', { name: 'Request a boost' }).click();
    const problem = await textOf(page, '#boost-problem', /DSL/);
    t.match(problem, /^The router is on DSL; a self-service boost is for an outage/, 'the title, without the rule number');
    t.match(problem, /the boost is for when DSL is down/, 'and the detail');
    t.equal(await page.locator('#boosts-left').textContent(), '2 of 2', 'nothing used');
  });

  await t.test('the simulator cuts DSL: the page shows "on mobile" and the R10 list', async (t) => {
    system.sim.router!.setLine('down');
    t.match(await textOf(page, '#path', /On mobile/), /^On mobile since /);
    t.match(await page.locator('#speed').textContent(), /^128 kbit\/s down, 64 kbit\/s up \(baseline\)$/, 'R3 baseline');
    t.match(await page.locator('#until').textContent(), /No end/);
    const unavailable = await page.locator('#unavailable-list li').allTextContents();
    t.ok(unavailable.some((s) => /VPN/.test(s)) && unavailable.some((s) => /IPv6/.test(s)), `R10 list shown (${unavailable.length} items)`);
  });

  await t.test('R6: boost; confirmed once the router applied it, with the new speed', async (t) => {
    await page.getByLabel('E-mail address for the confirmation').fill('anna.boost@example.org');
    await page.getByRole('button', { name: 'Request a boost' }).click();
    t.match(await textOf(page, '#boost-status', /Boost applied/), /^Boost applied: 3\.6 Mbit\/s until .+\. A confirmation went to anna\.boost@example\.org\.$/);
    const boost = (await system.server.call('GET', `/api/v1/subscriptions/${system.seeded.subscriptionId}`, { token: system.server.tokens.noc })).json() as {
      boost: { status: string; appliedAt: string | null };
    };
    t.match(boost.boost, { status: 'applied', appliedAt: String }, 'the server recorded the router\'s ack');
    t.match(await textOf(page, '#speed', /3\.6 Mbit/), /^3\.6 Mbit\/s down, 1\.4 Mbit\/s up \(boost\)$/, 'R4 boost speed');
    t.notMatch(await page.locator('#until').textContent(), /No end/, 'with its end');
    t.equal(await textOf(page, '#boosts-left', /1 of 2/), '1 of 2');
    await page.screenshot({ path: `${SCREENSHOTS}customer-boost.png` });
  });

  await t.test('R7: the third boost of the month is refused with a readable reason', async (t) => {
    await cancelBoostInForce(system);
    await page.getByRole('button', { name: 'Request a boost' }).click();
    await textOf(page, '#boost-status', /Boost applied/);
    t.equal(await textOf(page, '#boosts-left', /0 of 2/), '0 of 2', 'the second boost');
    await cancelBoostInForce(system);
    await textOf(page, '#speed', /\(baseline\)/);

    await page.getByRole('button', { name: 'Request a boost' }).click();
    const problem = await textOf(page, '#boost-problem', /boosts/);
    t.match(problem, /^Both self-service boosts of this calendar month are used; call the helpdesk/, 'the title');
    t.match(problem, /You have used both self-service boosts of this month/, 'the detail');
    t.notMatch(problem, /^R\d/, 'no rule number in front');
    t.equal(await page.locator('#boosts-left').textContent(), '0 of 2');
    await page.screenshot({ path: `${SCREENSHOTS}customer-refused.png` });
  });

  await t.test('no script errors on the page', async (t) => {
    t.same(errors, []);
    await page.context().close();
  });
});
