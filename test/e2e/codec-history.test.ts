import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { defaultPayloadConverter } from '@temporalio/common';
import { codecFromEnv, derivedCodecKey, isEncryptedPayload } from '@lifeline/platform/codec';
import { buildCity } from '../../cli/src/seed/city';
import { sendCity } from '../../cli/src/seed/send';
import { http, waitForIncident, withNats, withTemporal } from './support';

/**
 * Personal data an operator types into an incident (here a resident's name and phone in the title) reaches the
 * workflow as input, yet Temporal's stored history holds only AES-GCM ciphertext: the raw history, read with a
 * client that has no codec, contains neither the name nor the phone, while the incident still runs to the end.
 */
jest.setTimeout(240_000);

const city = buildCity({ communities: 1, residents: 120, seed: 8080, today: new Date().toISOString().slice(0, 10) });
const community = city.units.find((u) => u.level === 'community')!;
const resident = city.residents[7]!;
const title = `Welfare check ${resident.name} ${resident.phone}`;

beforeAll(async () => {
  await withNats((nc) => sendCity(nc, city));
});

/** Every payload anywhere in a history event (inputs, results, signals, updates, queries, memo). */
function payloadsOf(value: unknown, out: temporal.api.common.v1.IPayload[] = []): temporal.api.common.v1.IPayload[] {
  if (!value || typeof value !== 'object') return out;
  if (value instanceof Uint8Array) return out;
  const v = value as Record<string, unknown>;
  if (v.data instanceof Uint8Array && v.metadata && typeof v.metadata === 'object') out.push(v as temporal.api.common.v1.IPayload);
  for (const child of Object.values(v)) payloadsOf(child, out);
  return out;
}

describe('workflow history encryption', () => {
  let incidentId: string;

  it('the incident with personal data in its input still runs to closed', async () => {
    const res = await http<{ incidentId: string }>(
      'POST',
      '/v1/incidents',
      'operator',
      { planId: 'community-drill', severity: 'IV', area: { communityIds: [community.id] }, title, drill: true },
      { 'idempotency-key': `codec-${randomUUID()}` },
    );
    expect(res.status).toBe(202);
    incidentId = res.body.incidentId;
    const view = await waitForIncident(incidentId, (v) => v.phase === 'closed', 200_000);
    expect(view.status).toBe('completed');
  });

  it('stores only ciphertext: the raw history has neither the name nor the phone', async () => {
    await withTemporal(async (client) => {
      // No data converter on this client: fetchHistory returns what Temporal stored, byte for byte.
      const workflowIds = [`incident-${incidentId}`, `incident-${incidentId}/community-${community.id}`];
      for (const workflowId of workflowIds) {
        const history = await client.workflow.getHandle(workflowId).fetchHistory();
        const raw = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
        expect(raw.length).toBeGreaterThan(1000);
        expect(raw.includes(Buffer.from(resident.phone))).toBe(false);
        expect(raw.includes(Buffer.from(resident.name))).toBe(false);
        expect(raw.includes(Buffer.from('json/plain'))).toBe(false);

        const payloads = payloadsOf(history.events);
        expect(payloads.length).toBeGreaterThan(2);
        const expectedKey = process.env.LIFELINE_CODEC_KEYS ? undefined : derivedCodecKey(process.env.LIFELINE_PII_KEY!).id;
        for (const p of payloads) {
          expect(isEncryptedPayload(p as never)).toBe(true);
          if (expectedKey) expect(Buffer.from(p.metadata!['encryption-key-id']!).toString()).toBe(expectedKey);
        }
      }
    });
  });

  it('with the key, the same stored input decrypts to the operator’s title', async () => {
    await withTemporal(async (client) => {
      const history = await client.workflow.getHandle(`incident-${incidentId}`).fetchHistory();
      const started = history.events!.find((e) => e.workflowExecutionStartedEventAttributes)!;
      const input = started.workflowExecutionStartedEventAttributes!.input!.payloads!;
      const [decoded] = await codecFromEnv(process.env).decode(input as never);
      const value = defaultPayloadConverter.fromPayload(decoded!) as { title: string; incidentId: string };
      expect(value.incidentId).toBe(incidentId);
      expect(value.title).toBe(title);
    });
  });
});
