import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { toolsBinDir } from '@lifeline/local-stack';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { buildCity, sendCity, testStack, tokenFor, withNats } from '@lifeline/testkit';
import { runCommunityDrill } from './support';

/**
 * An administrator reads a finished drill in the Temporal UI: the workflow page, in headless Chromium (Debian's
 * /usr/bin/chromium through playwright-core; no browser is downloaded), shows the incident's input and result in
 * clear, decoded by the stack's codec server — while Temporal itself holds only ciphertext (codec-history.test.ts).
 * The UI's own decode request, replayed from another origin or with neither origin nor token, is refused with a
 * structured error. Screenshots land in test-artifacts/temporal-ui/ (git-ignored).
 */
jest.setTimeout(300_000);

const CHROMIUM = process.env.LIFELINE_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts', 'temporal-ui');
const city = buildCity({ communities: 1, residents: 60, seed: 8233, today: new Date().toISOString().slice(0, 10) });
const community = city.units.find((u) => u.level === 'community')!;
const district = city.units.find((u) => u.level === 'district')!;
const title = `Decoded in the UI ${randomUUID().slice(0, 8)}`;
const stack = testStack();
const uiOrigin = new URL(stack.temporalUiUrl).origin;
const decodeUrl = `${stack.codecUrl}/decode`;

let browser: Browser;
let incidentId: string;
/** Bodies of the decode requests the UI itself sent for the incident's page. */
const uiDecodeBodies: string[] = [];
/** The one among them that holds the incident's input (found by replaying them from the UI's origin). */
let uiDecodeBody: string | undefined;

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium, or set LIFELINE_CHROMIUM`);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await withNats((nc) => sendCity(nc, city));
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
});

afterAll(async () => {
  await browser?.close();
});

/** The workflow page of the incident, with the Input and Result panes (CodeMirror views of the decoded payloads). */
async function openWorkflowPage(page: Page): Promise<{ input: Locator; result: Locator }> {
  await page.goto(`${stack.temporalUiUrl}/namespaces/${stack.temporalNamespace}/workflows/${encodeURIComponent(`incident-${incidentId}`)}`);
  const panes = page.locator('[data-testid=input-and-result]');
  const pane = (name: string) => panes.locator('> div').filter({ has: page.locator('h2', { hasText: new RegExp(`^${name}$`) }) }).locator('.cm-content');
  await pane('Result').waitFor({ timeout: 60_000 });
  return { input: pane('Input'), result: pane('Result') };
}

/** Waits until a pane shows `text` (the UI renders first, then decodes), then gives the pane's visible text. */
async function paneText(pane: Locator, text: string | RegExp): Promise<string> {
  await pane.filter({ hasText: text }).waitFor({ timeout: 30_000 });
  return pane.innerText();
}

type Refusal = { error: { code: string; message: string; details?: Record<string, unknown> } };

type Decoded = { payloads?: { data?: string }[] };

/** Replays a decode request of the UI's with other headers. */
async function decode(headers: Record<string, string>, body = uiDecodeBody) {
  const res = await fetch(decodeUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-namespace': stack.temporalNamespace, ...headers }, body });
  return { status: res.status, allowOrigin: res.headers.get('access-control-allow-origin'), body: (await res.json()) as Refusal & Decoded };
}

/** The Temporal CLI against the stack, as README documents it for administrators. */
function temporalCli(command: string[]): Promise<{ exitCode: number; output: string }> {
  const args = [...command, '--address', stack.temporalAddress, '--namespace', stack.temporalNamespace];
  return new Promise((resolve) => {
    execFile(path.join(toolsBinDir(), 'temporal'), args, { timeout: 30_000, maxBuffer: 32 << 20 }, (err, stdout, stderr) =>
      resolve({ exitCode: err ? Number((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

/** `temporal workflow show` of a run through the codec endpoint (the incident's, unless named). */
const showWithCli = (extra: string[], workflowId = `incident-${incidentId}`) =>
  temporalCli(['workflow', 'show', '--workflow-id', workflowId, '--codec-endpoint', stack.codecUrl, ...extra]);

/** Workflow ids a visibility query lists (README "Reading payloads in the Temporal UI"). */
async function listed(query: string): Promise<string[]> {
  const { exitCode, output } = await temporalCli(['workflow', 'list', '--query', query, '--output', 'json']);
  expect([query, exitCode]).toEqual([query, 0]);
  return (JSON.parse(output || '[]') as { execution: { workflowId: string } }[]).map((w) => w.execution.workflowId);
}

/** Whether CLI output holds `text` in clear: as printed, or inside a decoded payload (the CLI prints payload data base64). */
const holdsInClear = (output: string, text: string) =>
  output.includes(text) || [...output.matchAll(/[A-Za-z0-9+/]{40,}={0,2}/g)].some(([chunk]) => Buffer.from(chunk, 'base64').toString().includes(text));

const clearTexts = (answer: Decoded) => (answer.payloads ?? []).map((p) => Buffer.from(p.data ?? '', 'base64').toString());

describe('the Temporal UI shows a finished drill decoded, to whoever may see it', () => {
  it('a drill runs to closed', async () => {
    incidentId = await runCommunityDrill(community.id, title);
  });

  it('the workflow page shows the incident’s title and plan id in clear in its Input and Result panes', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 2400 } });
    const decodes: number[] = [];
    page.on('request', (r) => {
      const body = r.postData();
      if (r.url() === decodeUrl && r.method() === 'POST' && body) uiDecodeBodies.push(body);
    });
    page.on('response', (r) => {
      if (r.url() === decodeUrl && r.request().method() === 'POST') decodes.push(r.status());
    });
    const { input, result } = await openWorkflowPage(page);
    const inputText = await paneText(input, `"title": "${title}"`);
    expect(inputText).toContain(`"incidentId": "${incidentId}"`);
    expect(inputText).toMatch(/"plan": \{\s*"id": "community-drill"/);
    const resultText = await paneText(result, `"title": "${title}"`);
    expect(resultText).toContain('"planId": "community-drill"');
    expect(resultText).toContain('"status": "completed"');
    await page.screenshot({ path: path.join(ARTIFACTS, 'workflow-decoded.png'), fullPage: true });
    // The clear text came through the codec server: the browser asked it, and every answer was a success.
    expect(decodes.length).toBeGreaterThan(0);
    expect(decodes.every((s) => s === 200)).toBe(true);
    await page.close();
  });

  it('the event history says what each command did, in the plan’s words (summaries, decoded by the codec server)', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 2400 } });
    await openWorkflowPage(page);
    await page.screenshot({ path: path.join(ARTIFACTS, 'incident-summaries.png'), fullPage: true });
    await page.getByText(`resolve the area: community ${community.id}`).first().waitFor({ timeout: 30_000 });
    await page.goto(`${stack.temporalUiUrl}/namespaces/${stack.temporalNamespace}/workflows/${encodeURIComponent(`incident-${incidentId}/district-${district.id}`)}`);
    // The district's latest run is its recover run, which it runs itself for its communities (patch district-steps):
    // the return of what respond issued, then the all-clear.
    await page.getByText(new RegExp(`return-shelter-kits: return [\\d,]+ units? issued from reserve-shelter-kits in ${community.id}`)).first().waitFor({ timeout: 60_000 });
    await page.getByText(new RegExp(`all-clear: broadcast to [\\d,]+ residents of ${community.id} by sms \\(drill\\)`)).first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'community-summaries.png'), fullPage: true });
    await page.close();
    // The command line shows them with an administrator's token; without one they stay ciphertext like any payload.
    const workflowId = `incident-${incidentId}/district-${district.id}`;
    const admin = await showWithCli(['--codec-auth', `Bearer ${tokenFor('admin')}`, '--output', 'json'], workflowId);
    expect(holdsInClear(admin.output, `all-clear: broadcast to`)).toBe(true);
    expect(holdsInClear((await showWithCli(['--output', 'json'], workflowId)).output, `all-clear: broadcast to`)).toBe(false);
  });

  it('the README’s visibility queries find the drill', async () => {
    const runs = await listed(`LifelineIncidentId = "${incidentId}"`);
    expect(runs).toEqual(expect.arrayContaining([`incident-${incidentId}`, `incident-${incidentId}/district-${district.id}`, `incident-${incidentId}/community-${community.id}`]));
    const incidents = (query: string) => listed(`WorkflowType = "incidentWorkflow" AND ${query}`);
    expect(await incidents(`LifelineDistrict = "${district.id}" AND LifelineDrill = true`)).toContain(`incident-${incidentId}`);
    expect(await incidents(`LifelineDrill = false`)).not.toContain(`incident-${incidentId}`);
    expect(await incidents(`LifelinePhase = "closed" AND ExecutionStatus = "Completed"`)).toContain(`incident-${incidentId}`);
    expect(await incidents(`LifelinePhase = "mobilize" AND ExecutionStatus = "Running"`)).not.toContain(`incident-${incidentId}`);
  });

  it('without the codec server the same panes show only ciphertext', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 2400 } });
    await page.route(`${stack.codecUrl}/**`, (route) => route.abort());
    const { input, result } = await openWorkflowPage(page);
    const encrypted = /binary\/encrypted|YmluYXJ5L2VuY3J5cHRlZA==/; // the encoding, in clear or base64
    expect(await paneText(input, encrypted)).not.toContain(title);
    expect(await paneText(result, encrypted)).not.toContain(title);
    await page.screenshot({ path: path.join(ARTIFACTS, 'workflow-without-codec.png'), fullPage: true });
    await page.close();
  });

  it('the UI’s decode requests, replayed from the UI’s origin on this machine, decode (the control)', async () => {
    for (const body of uiDecodeBodies) {
      const answer = await decode({ origin: uiOrigin }, body);
      expect(answer.status).toBe(200);
      expect(answer.allowOrigin).toBe(uiOrigin);
      if (clearTexts(answer.body).some((text) => text.includes(title))) uiDecodeBody ??= body;
    }
    expect(uiDecodeBody).toBeDefined();
  });

  it('is refused from another origin, even with an administrator’s token', async () => {
    const withAndWithoutToken: Record<string, string>[] = [{}, { authorization: `Bearer ${tokenFor('admin')}` }];
    for (const extra of withAndWithoutToken) {
      const answer = await decode({ origin: 'http://evil.example', ...extra });
      expect(answer.status).toBe(403);
      expect(answer.allowOrigin).toBeNull();
      expect(answer.body.error).toMatchObject({ code: 'forbidden', message: expect.stringContaining('http://evil.example') });
      expect(answer.body.error.details).toMatchObject({ origin: 'http://evil.example', allowedOrigins: expect.arrayContaining([uiOrigin]) });
      expect(answer.body.payloads).toBeUndefined();
    }
  });

  it('is refused with neither origin nor token, and for a token that is not an administrator’s', async () => {
    const anonymous = await decode({});
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toMatchObject({ code: 'unauthorized', message: expect.stringContaining('bearer token'), details: { mode: 'loopback' } });
    const operator = await decode({ origin: uiOrigin, authorization: `Bearer ${tokenFor('operator')}` });
    expect(operator.status).toBe(403);
    expect(operator.body.error).toMatchObject({ code: 'forbidden', details: { allowed: ['admin'] } });
    // The CLI's way in: `temporal workflow show --codec-endpoint … --codec-auth "Bearer <admin token>"`.
    const admin = await decode({ authorization: `Bearer ${tokenFor('admin')}` });
    expect(admin.status).toBe(200);
  });

  it('an administrator reads the incident from the command line with a token; without one the CLI gets no clear text', async () => {
    for (const output of [[], ['--output', 'json']]) {
      const admin = await showWithCli(['--codec-auth', `Bearer ${tokenFor('admin')}`, ...output]);
      expect([output, admin.exitCode, holdsInClear(admin.output, title)]).toEqual([output, 0, true]);
      fs.writeFileSync(path.join(ARTIFACTS, `cli-admin${output.length ? '-json' : ''}.txt`), admin.output);
    }
    const anonymous = await showWithCli(['--output', 'json']);
    fs.writeFileSync(path.join(ARTIFACTS, 'cli-anonymous.txt'), anonymous.output);
    expect(holdsInClear(anonymous.output, title)).toBe(false);
  });

  it('a page of another origin in the browser cannot read the codec endpoint', async () => {
    const page = await browser.newPage();
    // The command-center's API document: a real page of another origin on this machine, without a CSP of its own.
    await page.goto(`${stack.httpUrl}/v1/openapi.json`);
    const outcome = await page.evaluate(
      async ({ url, body }) =>
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(
          (r) => `answered ${r.status}`,
          (err: Error) => `blocked: ${err.name}`,
        ),
      { url: decodeUrl, body: uiDecodeBody ?? '' },
    );
    expect(outcome).toBe('blocked: TypeError');
    await page.close();
  });
});
