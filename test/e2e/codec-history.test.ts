import { temporal } from '@temporalio/proto';
import { defaultPayloadConverter } from '@temporalio/common';
import { codecFromEnv, derivedCodecKey, isEncryptedPayload } from '@lifeline/platform/codec';
import { buildCity, sendCity, withNats } from '@lifeline/testkit';
import { Client, Connection } from '@temporalio/client';
import { runCommunityDrill } from './support';

/**
 * Personal data an operator types into an incident (here a resident's name and phone in the title) reaches the
 * workflow as input, yet Temporal's stored history holds only AES-GCM ciphertext: the raw history, read with a
 * client that has no codec, contains neither the name nor the phone, while the incident still runs to the end.
 */
jest.setTimeout(240_000);

const city = buildCity({ communities: 1, residents: 120, seed: 8080, today: new Date().toISOString().slice(0, 10) });
const community = city.units.find((u) => u.level === 'community')!;
const district = city.units.find((u) => u.level === 'district')!;
const resident = city.residents[7]!;
const title = `Welfare check ${resident.name} ${resident.phone}`;

/** A Temporal client with NO data converter: it sees what Temporal stores. */
async function withRawTemporal<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  try {
    return await fn(new Client({ connection }));
  } finally {
    await connection.close();
  }
}

beforeAll(async () => {
  await withNats((nc) => sendCity(nc, city));
});

/** Every payload anywhere in a history event (inputs, results, signals, updates, memo, headers…), with its path. */
function payloadsOf(value: unknown, at = '', out: { at: string; payload: temporal.api.common.v1.IPayload }[] = []) {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return out;
  const v = value as Record<string, unknown>;
  if (v.data instanceof Uint8Array && v.metadata && typeof v.metadata === 'object') out.push({ at, payload: v as temporal.api.common.v1.IPayload });
  for (const [key, child] of Object.entries(v)) payloadsOf(child, `${at}.${key}`, out);
  return out;
}

/**
 * Left readable by design: search attributes (Temporal indexes them; Lifeline's hold only ids, phase, severity and
 * flags), headers (the OpenTelemetry trace context the interceptors propagate), the SDK's own patch markers (a
 * patch id the workflow code names, written by the SDK below the codec) and the SDK's bookkeeping of a local
 * activity (`details.data`: its type, id, attempt and times, below the codec; its result is a codec payload) —
 * checked separately to hold nothing else.
 */
const isSearchAttribute = (at: string) =>
  /\.searchAttributes\.indexedFields\.|\.header\.fields\.|\.markerRecordedEventAttributes\.details\.patch-data\./.test(at) || isLocalActivityBookkeeping(at);
const isLocalActivityBookkeeping = (at: string) => /\.markerRecordedEventAttributes\.details\.data\./.test(at);
/** What the SDK writes about a local activity; anything more would be data that belongs in a codec payload. */
const LOCAL_ACTIVITY_FIELDS = new Set(['seq', 'attempt', 'activity_id', 'activity_type', 'complete_time', 'backoff', 'original_schedule_time']);

describe('workflow history encryption', () => {
  let incidentId: string;

  it('the incident with personal data in its input still runs to closed', async () => {
    incidentId = await runCommunityDrill(community.id, title);
  });

  it('stores only ciphertext: the raw history has neither the name nor the phone', async () => {
    await withRawTemporal(async (client) => {
      // fetchHistory returns what Temporal stored, byte for byte.
      const workflowIds = [`incident-${incidentId}`, `incident-${incidentId}/district-${district.id}`, `incident-${incidentId}/community-${community.id}`];
      for (const workflowId of workflowIds) {
        const history = await client.workflow.getHandle(workflowId).fetchHistory();
        const raw = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
        expect(raw.length).toBeGreaterThan(1000);
        expect(raw.includes(Buffer.from(resident.phone))).toBe(false);
        expect(raw.includes(Buffer.from(resident.name))).toBe(false);

        const payloads = payloadsOf(history.events);
        for (const { payload } of payloads.filter((p) => isLocalActivityBookkeeping(p.at))) {
          const fields = Object.keys(JSON.parse(Buffer.from(payload.data!).toString()) as Record<string, unknown>);
          expect(fields.filter((f) => !LOCAL_ACTIVITY_FIELDS.has(f))).toEqual([]);
        }
        const encrypted = payloads.filter((p) => !isSearchAttribute(p.at));
        expect(encrypted.length).toBeGreaterThan(2);
        // The summaries (user metadata) go through the codec like any payload: each run has some, all ciphertext.
        expect(encrypted.filter((p) => p.at.includes('.userMetadata.summary')).length).toBeGreaterThan(0);
        const expectedKey = process.env.LIFELINE_CODEC_KEYS ? undefined : derivedCodecKey(process.env.LIFELINE_PII_KEY!).id;
        for (const { at, payload } of encrypted) {
          expect([at, isEncryptedPayload(payload as never)]).toEqual([at, true]);
          if (expectedKey) expect(Buffer.from(payload.metadata!['encryption-key-id']!).toString()).toBe(expectedKey);
        }
      }
    });
  });

  it('with the key, the same stored input decrypts to the operator’s title', async () => {
    await withRawTemporal(async (client) => {
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
