import Ajv2020 from 'ajv/dist/2020';
import { z } from 'zod';
import { AcceptProposalsRequest, ALL_ENDPOINTS, Area, PlanDocument, PostedPlanDocument, IncidentCommandRequest, incentivesContract, issuesToDetails, notificationContract, StartIncidentRequest, supplies, suppliesContract } from '../src';
import * as commandCenter from '../src/http/command-center';
import * as incentivesHttp from '../src/http/incentives';

type JsonSchema = { [key: string]: unknown };

/**
 * Paths of the object nodes of a JSON Schema that accept fields they do not name. A map (`additionalProperties` a
 * schema, from `z.record`) is closed by its key and value schemas, which are walked too.
 */
function openObjects(schema: unknown, at = '(root)'): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const node = schema as JsonSchema;
  const found: string[] = [];
  // A cross-field rule's fragments (`oneOf: [{ required: [...] }]`) have no type: they describe, they do not open.
  if (node.type === 'object' && node.additionalProperties !== false && typeof node.additionalProperties !== 'object' && !('propertyNames' in node)) found.push(at);
  for (const [key, child] of Object.entries((node.properties as Record<string, unknown>) ?? {})) found.push(...openObjects(child, `${at}.${key}`));
  if (typeof node.additionalProperties === 'object') found.push(...openObjects(node.additionalProperties, `${at}.*`));
  if (node.items) found.push(...openObjects(node.items, `${at}[]`));
  for (const list of ['anyOf', 'oneOf', 'allOf', 'prefixItems'] as const) ((node[list] as unknown[]) ?? []).forEach((child, i) => found.push(...openObjects(child, `${at}|${list}${i}`)));
  return found;
}

const inputSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' });

const unknownKeyDetails = (schema: z.ZodType, input: unknown) => {
  const parsed = schema.safeParse(input);
  return parsed.success ? [] : issuesToDetails(parsed.error).filter((d) => d.unknownKey !== undefined);
};

describe('every NATS request refuses fields it does not declare', () => {
  it.each(ALL_ENDPOINTS.map((ep) => [ep.subject, ep] as const))('%s: every object of its request is closed (additionalProperties: false)', (_subject, ep) => {
    expect(openObjects(inputSchema(ep.request))).toEqual([]);
  });

  it.each(ALL_ENDPOINTS.map((ep) => [ep.subject, ep] as const))('%s: an unknown top-level field is named in the refusal', (_subject, ep) => {
    expect(unknownKeyDetails(ep.request, { quantitty: 1 })).toEqual([{ path: 'quantitty', message: 'unknown field "quantitty"', unknownKey: 'quantitty' }]);
  });

  it('a typo deep in a request is named at its own path', () => {
    const reserve = { idempotencyKey: 'incident-a:reserve-1', incidentId: 'a', communityId: 'c-1', lines: [{ itemCode: 'tent', quantity: 2 }, { itemCode: 'water', quantitty: 5, quantity: 1 }] };
    expect(unknownKeyDetails(supplies.reserve.request, reserve)).toEqual([{ path: 'lines.1.quantitty', message: 'unknown field "quantitty"', unknownKey: 'quantitty' }]);
    const seed = { depots: [{ id: 'd-1', name: { zh: '仓库', en: 'Depot', fr: 'Dépôt' }, level: 'city', areaId: 'city', location: { lat: 1, lng: 2, alt: 3 } }], items: [], lots: [] };
    expect(unknownKeyDetails(supplies.seed.request, seed).map((d) => d.path)).toEqual(['depots.0.name.fr', 'depots.0.location.alt']);
  });

  it('the simulator settings and an empty-looking seed are refused for a stray field, not applied', () => {
    expect(notificationContract.SimulatorSettings.safeParse({ x: 1 }).success).toBe(false);
    expect(supplies.seed.request.safeParse({ depots: [], items: [], lots: [], x: 1 }).success).toBe(false);
  });
});

describe('HTTP bodies refuse unknown fields at every level', () => {
  it.each([
    ['StartIncidentRequest', StartIncidentRequest],
    ['IncidentCommandRequest', IncidentCommandRequest],
    ['AcceptProposalsRequest', AcceptProposalsRequest],
    ['ReadinessQuery', commandCenter.ReadinessQuery],
    ['IncidentListQuery', commandCenter.IncidentListQuery],
    ['incentives LeaderboardQuery', incentivesHttp.LeaderboardQuery],
    ['PlanCreateRequest', commandCenter.PlanCreateRequest],
    ['PlanVersionRequest', commandCenter.PlanVersionRequest],
  ] as const)('%s is closed', (_name, schema) => {
    expect(openObjects(inputSchema(schema))).toEqual([]);
  });

  it('an unknown field inside the area of a new incident is named', () => {
    const body = { planId: 'flood', severity: 'II', title: 'River rising', area: { communityIds: ['c-1'], comunityIds: ['c-2'] } };
    expect(unknownKeyDetails(StartIncidentRequest, body).map((d) => d.path)).toEqual(['area.comunityIds']);
  });
});

describe('a posted plan refuses unknown fields; a plan read back drops them', () => {
  const notify = { id: 'warn-all', kind: 'notify', title: { zh: '预警', en: 'Warn' }, audience: { groups: ['everyone'] }, channels: ['sms'], message: { zh: '撤离', en: 'Evacuate' } };
  const plan = (step: Record<string, unknown>) => ({ id: 'p', version: 1, title: { zh: '预案', en: 'Plan' }, kind: 'comprehensive', hazard: 'flood', severityScaling: { I: 2, II: 1.5, III: 1.2, IV: 1 }, phases: { warn: [step] } });

  it('a typo in a step is named at its path when posted, instead of the step running with the default', () => {
    expect(PostedPlanDocument.safeParse(plan(notify)).success).toBe(true);
    expect(unknownKeyDetails(PostedPlanDocument, plan({ ...notify, deadlineSecond: 60 })).map((d) => d.path)).toEqual(['phases.warn.0.deadlineSecond']);
    expect(unknownKeyDetails(PostedPlanDocument, plan({ ...notify, audience: { groups: ['everyone'], grid: 'g-1' } })).map((d) => d.path)).toEqual(['phases.warn.0.audience.grid']);
  });

  it('the plan as the workflow reads it back (its recorded input) still drops them', () => {
    const read = PlanDocument.safeParse(plan({ ...notify, deadlineSecond: 60 }));
    expect(read.success && read.data.phases.warn[0]).toMatchObject({ id: 'warn-all', deadlineSeconds: 600 });
    expect(read.success && read.data.phases.warn[0]).not.toHaveProperty('deadlineSecond');
  });
});

/**
 * A cross-field rule says the same thing twice, to zod (the refusal) and to JSON Schema (the documents). Each case
 * is checked both ways on every combination of its fields, so the two cannot drift apart.
 */
describe('cross-field rules are in the documents and agree with the validator', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const combinations = (fields: Record<string, unknown[]>): Record<string, unknown>[] =>
    Object.entries(fields).reduce<Record<string, unknown>[]>((acc, [key, values]) => acc.flatMap((partial) => [partial, ...values.map((v) => ({ ...partial, [key]: v }))]), [{}]);

  const cases: [string, z.ZodType, Record<string, unknown>, Record<string, unknown[]>, string][] = [
    ['Area', Area, {}, { communityIds: [['c-1']], districtIds: [['d-1']], cityWide: [true, false] }, 'anyOf'],
    ['command-center ReadinessQuery', commandCenter.ReadinessQuery, {}, { community: ['c-1'], district: ['d-1'] }, 'oneOf'],
    ['AcceptProposalsRequest', AcceptProposalsRequest, {}, { proposalIds: [['p-1']], all: [true] }, 'oneOf'],
    ['incentives LeaderboardQuery (HTTP)', incentivesHttp.LeaderboardQuery, {}, { incidentId: ['i-1'], communityId: ['c-1'] }, 'anyOf'],
    ['incentives LeaderboardQuery (NATS)', incentivesContract.LeaderboardQuery, {}, { incidentId: ['i-1'], communityId: ['c-1'] }, 'anyOf'],
    ['incentives FlagsQuery', incentivesContract.FlagsQuery, {}, { incidentId: ['i-1'], participantId: ['p-1'] }, 'anyOf'],
    ['supplies StockTarget', suppliesContract.StockTarget, { communityId: 'c-1', itemCode: 'tent' }, { quantity: [10], perThousandResidents: [2], population: [1000] }, 'anyOf'],
    ['notification ReplyRequest', notificationContract.ReplyRequest, { idempotencyKey: 'msg-00001', incidentId: 'i-1', residentId: 'r-1' }, { kind: ['safe', 'info'], category: ['water'] }, 'if'],
  ];

  it.each(cases)('%s: the document states the rule and accepts exactly what zod accepts', (_name, schema, base, fields, keyword) => {
    const json = inputSchema(schema);
    expect(json).toHaveProperty(keyword);
    const validate = ajv.compile(json);
    for (const combination of combinations(fields)) {
      const input = { ...base, ...combination };
      expect({ input, document: validate(input) }).toEqual({ input, document: schema.safeParse(input).success });
    }
  });
});
