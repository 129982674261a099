import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildCity, sendCity, env, http, pollUntil, publishApprovedPlan, testStack, tokenFor, withNats } from '@lifeline/testkit';
import { gatedPlan } from './support/gated-plan';

/**
 * The console in a real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core; no browser is
 * downloaded): log in with a development token, start a drill, watch the phase change live, stand it down, see it
 * closed. Screenshots land in test-artifacts/console/ (git-ignored).
 */
jest.setTimeout(180_000);

const CHROMIUM = process.env.LIFELINE_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve(__dirname, '..', '..', '..', 'test-artifacts', 'console');
const city = buildCity({ communities: 1, residents: 50, seed: 66, today: new Date().toISOString().slice(0, 10) });
const community = city.units.find((u) => u.level === 'community')!;
const plan = gatedPlan();

let browser: Browser;
let page: Page;
const outside: string[] = [];
const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's package (apt-get install -y chromium; scripts/bootstrap.mjs test does it) or set LIFELINE_CHROMIUM`);
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await withNats((nc) => sendCity(nc, city));
  await publishApprovedPlan(plan);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  page = await browser.newPage({ locale: 'zh-CN', viewport: { width: 1280, height: 1000 } });
  page.on('request', (r) => {
    if (!r.url().startsWith(env.http)) outside.push(r.url());
  });
});

afterAll(async () => {
  await browser?.close();
});

describe('the operator console in headless Chromium', () => {
  let incidentId: string;

  it('logs in with a development token and switches between zh-CN and English', async () => {
    await page.goto(`${env.http}/`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Lifeline 指挥中心');
    await page.fill('[data-testid=token]', 'not-a-token');
    await page.click('[data-testid=login]');
    await page.waitForSelector('#login-error:not(:empty)');
    await page.fill('[data-testid=token]', tokenFor('commander', 'console-test'));
    await page.click('[data-testid=login]');
    await page.waitForSelector('#app:not([hidden])');
    await expect(page.textContent('[data-testid=who]')).resolves.toContain('commander');
    await page.selectOption('[data-testid=lang]', 'en');
    await expect(page.locator('h1').textContent()).resolves.toBe('Lifeline command center');
    // Every part of the system answers (GET /v1/status), shown in the header.
    await page.waitForSelector('[data-testid=system][data-state=ok]');
    await expect(page.textContent('[data-testid=system]')).resolves.toBe('● all parts up');
    await shot('01-logged-in-en');
  });

  it('starts a drill from a plan after a confirmation', async () => {
    // The picker names the version incidents run: the latest approved one.
    await expect(page.textContent(`[data-testid=plan] option[value="${plan.id}"]`)).resolves.toMatch(new RegExp(`^${plan.id} v1 — `));
    await page.selectOption('[data-testid=plan]', plan.id);
    await page.fill('[data-testid=communities]', community.id);
    await page.fill('[data-testid=title]', 'Console drill');
    await page.click('[data-testid=start]');
    await page.waitForSelector('[data-testid=confirm][open]');
    await expect(page.textContent('[data-testid=confirm-text]')).resolves.toContain(plan.id);
    await shot('02-confirm-start');
    await page.click('[data-testid=confirm-ok]');
    await page.waitForSelector('[data-testid=incident]:not([hidden])');
    await page.waitForSelector('[data-testid=phase][data-phase]');
    incidentId = (await page.textContent('#inc-id'))!.trim();
    expect(incidentId).toMatch(/^inc-/);
    await expect(page.getAttribute('[data-testid=temporal-link]', 'href')).resolves.toMatch(new RegExp(`/namespaces/default/workflows/incident-${incidentId}$`));
  });

  it('links the incident’s workflow in the Temporal UI, which shows it decoded, and its trace in Jaeger', async () => {
    // The trace link (tracing is on in the test stack): Jaeger's API has the trace, rooted in the console's POST.
    const tracesUrl = testStack().tracesUrl;
    await page.waitForSelector('[data-testid=trace-link]', { state: 'visible' });
    const traceLink = (await page.getAttribute('[data-testid=trace-link]', 'href'))!;
    expect(traceLink).toMatch(new RegExp(`^${tracesUrl}/trace/[0-9a-f]{32}$`));
    const traceId = traceLink.split('/').pop()!;
    await expect(page.getAttribute('[data-testid=trace-api-link]', 'href')).resolves.toBe(`${tracesUrl}/api/traces/${traceId}`);
    const root = await pollUntil('the POST reaches Jaeger', async () => {
      const res = await fetch(`${tracesUrl}/api/traces/${traceId}`);
      const body = res.ok ? ((await res.json()) as { data: { spans: { operationName: string; references: unknown[] }[] }[] }) : undefined;
      return body?.data[0]?.spans.find((s) => s.operationName === 'POST /v1/incidents');
    }, { timeoutMs: 30_000, everyMs: 1000 });
    expect(root.references).toEqual([]);
    // The Temporal UI link, clicked (a new tab): the workflow page shows the incident's input decoded by the codec server.
    const [ui] = await Promise.all([page.context().waitForEvent('page'), page.click('[data-testid=temporal-link]')]);
    const input = ui.locator('[data-testid=input-and-result] > div').filter({ has: ui.locator('h2', { hasText: /^Input$/ }) }).locator('.cm-content');
    await input.filter({ hasText: '"title": "Console drill"' }).waitFor({ timeout: 60_000 });
    await expect(input.innerText()).resolves.toContain(`"incidentId": "${incidentId}"`);
    await ui.screenshot({ path: path.join(ARTIFACTS, '02b-temporal-ui-decoded.png'), fullPage: true });
    await ui.close();
  });

  it('shows the phase change live, without reloading', async () => {
    await page.evaluate(() => ((globalThis as unknown as { lifelineMarker: number }).lifelineMarker = 42));
    await page.waitForSelector('[data-testid=live][data-state=on]');
    await page.waitForSelector('[data-testid=phase][data-phase=mobilize]', { timeout: 60_000 });
    await expect(page.evaluate(() => (globalThis as unknown as { lifelineMarker?: number }).lifelineMarker)).resolves.toBe(42);
    await expect(page.locator('[data-testid=areas] tr').count()).resolves.toBe(1);
    await shot('03-mobilize-live');
  });

  it('stands the incident down after a confirmation and shows it closed', async () => {
    await page.selectOption('[data-testid=cmd-type]', 'stand-down');
    await page.fill('[data-testid=cmd-reason]', 'console test: drill over');
    await page.click('[data-testid=cmd-send]');
    await page.waitForSelector('[data-testid=confirm][open]');
    await expect(page.textContent('[data-testid=confirm-text]')).resolves.toContain('Stand down');
    await page.click('[data-testid=confirm-ok]');
    await page.waitForSelector('[data-testid=phase][data-phase=closed]', { timeout: 90_000 });
    await expect(page.getAttribute('[data-testid=status]', 'data-status')).resolves.toBe('cancelled');
    await page.waitForSelector('[data-testid=live][data-state=end]');
    await shot('04-closed');
    // The after-action report (services/command-center/src/review) renders in place, or says why it cannot yet.
    await page.click('[data-testid=load-report]');
    await page.waitForSelector('[data-testid=report]:not(:empty)');
    await shot('05-report');
    const report = await http<{ outcome: string; findings: unknown[] }>('GET', `/v1/incidents/${incidentId}/report`, 'auditor');
    if (report.status === 200) {
      // The console shows the report's own figures (its contract), not a stale shape.
      await expect(page.textContent('[data-testid=report-outcome]')).resolves.toBe(report.body.outcome === 'stood-down' ? 'stood down' : report.body.outcome);
      await expect(page.textContent('[data-testid=report-findings]')).resolves.not.toBe('');
    } else {
      await expect(page.textContent('[data-testid=report]')).resolves.toContain('Not reviewed yet');
    }
    const view = await http<{ phase: string; status: string }>('GET', `/v1/incidents/${incidentId}`, 'auditor');
    expect([view.body.phase, view.body.status]).toEqual(['closed', 'cancelled']);
  });

  it('loaded nothing from outside the command-center', () => {
    expect(outside).toEqual([]);
  });
});
