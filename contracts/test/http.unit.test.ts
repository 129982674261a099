import type { z } from 'zod';
import { AcceptProposalsRequest, IncidentCommand, IncidentCommandRequest, ReportQuery, StartIncidentRequest } from '../src';
import * as commandCenter from '../src/http/command-center';
import * as incentives from '../src/http/incentives';
import * as notification from '../src/http/notification';
import * as personnel from '../src/http/personnel';
import * as supplies from '../src/http/supplies';

type Case = [name: string, schema: z.ZodType, valid: Record<string, unknown>];

/** Every JSON body a route parses, with a valid example. */
const BODIES: Case[] = [
  ['command-center PublishPlanBody', commandCenter.PublishPlanBody, { plan: { id: 'flood', title: { 'zh-CN': '洪水' } } }],
  ['command-center StartIncidentRequest', StartIncidentRequest, { planId: 'flood', severity: 'II', area: { communityIds: ['c-1'] }, title: 'River rising' }],
  ['command-center AcceptProposalsRequest', AcceptProposalsRequest, { all: true }],
];

/** Query schemas that refuse unknown parameters, with a valid example. */
const STRICT_QUERIES: Case[] = [
  ['command-center IncidentListQuery', commandCenter.IncidentListQuery, { severity: 'II', drill: 'true', limit: '10' }],
  ['command-center ReadinessQuery', commandCenter.ReadinessQuery, { community: 'c-1' }],
  ['command-center PlanVersionQuery', commandCenter.PlanVersionQuery, { version: '2' }],
  ['command-center AuditQuery', commandCenter.AuditQuery, { target: 'flood', limit: '5' }],
  ['command-center ReportQuery', ReportQuery, { format: 'html', lang: 'en' }],
  ['supplies StockQuery', supplies.StockQuery, { areaId: 'd-1', below: 'false' }],
  ['supplies IncidentQuery', supplies.IncidentQuery, { incidentId: 'inc-1' }],
  ['supplies ReadinessQuery', supplies.ReadinessQuery, { areaId: 'd-1', expiryWithinDays: '7', asOf: '2025-06-01', severity: 'I' }],
  ['supplies SitesQuery', supplies.SitesQuery, { communityId: 'c-1' }],
  ['incentives LedgerPageQuery', incentives.LedgerPageQuery, { afterSeq: '3', limit: '10' }],
  ['incentives LeaderboardQuery', incentives.LeaderboardQuery, { communityId: 'c-1' }],
  ['notification JobsQuery', notification.JobsQuery, { incidentId: 'inc-1' }],
  ['notification DeliveryQuery', notification.DeliveryQuery, { stepId: 's-1' }],
  ['personnel TasksQuery', personnel.TasksQuery, { incidentId: 'inc-1' }],
  ['personnel PeopleQuery', personnel.PeopleQuery, { communityId: 'c-1' }],
];

/** Path parameters: Express hands a route only the parameters its pattern names, so these need not refuse others. */
const LOOSE: Case[] = [
  ['command-center IncidentIdParams', commandCenter.IncidentIdParams, { id: 'inc-1' }],
  ['command-center PlanIdParams', commandCenter.PlanIdParams, { id: 'flood' }],
  ['incentives ParticipantParams', incentives.ParticipantParams, { participantId: 'p-1' }],
  ['notification JobParams', notification.JobParams, { id: 'inc-1:s-1' }],
  ['notification DeliveryParams', notification.DeliveryParams, { incidentId: 'inc-1', residentId: 'r-1' }],
];

const unknownKeys = (schema: z.ZodType, input: unknown) => {
  const result = schema.safeParse(input);
  return result.success ? [] : result.error.issues.filter((i) => i.code === 'unrecognized_keys').flatMap((i) => ('keys' in i ? i.keys : []));
};

describe('HTTP schemas in contracts/src/http', () => {
  it.each([...BODIES, ...STRICT_QUERIES])('%s accepts a valid example and refuses an unknown field', (_name, schema, valid) => {
    expect(schema.safeParse(valid).success).toBe(true);
    expect(unknownKeys(schema, { ...valid, sneaky: 1 })).toEqual(['sneaky']);
  });

  it.each(LOOSE)('%s accepts a valid example and drops an unknown field', (_name, schema, valid) => {
    const result = schema.safeParse({ ...valid, sneaky: 1 });
    expect(result.success).toBe(true);
    expect(result.data).not.toHaveProperty('sneaky');
  });

  it('keeps the routes\' limits and defaults', () => {
    expect(commandCenter.AuditQuery.parse({})).toEqual({ limit: 100 });
    expect(commandCenter.AuditQuery.safeParse({ limit: '501' }).success).toBe(false);
    expect(supplies.StockQuery.parse({ areaId: 'd-1' })).toEqual({ areaId: 'd-1', below: 'true' });
    expect(supplies.ReadinessQuery.parse({ areaId: 'd-1' })).toEqual({ areaId: 'd-1', expiryWithinDays: 30 });
    expect(incentives.LedgerPageQuery.parse({})).toEqual({ afterSeq: 0, limit: 100 });
    expect(incentives.LedgerPageQuery.safeParse({ limit: '1001' }).success).toBe(false);
    expect(incentives.LeaderboardQuery.safeParse({ limit: '5' }).success).toBe(false);
    expect(incentives.LeaderboardQuery.parse({ incidentId: 'inc-1' })).toEqual({ incidentId: 'inc-1', limit: 20 });
    expect(commandCenter.PublishPlanBody.safeParse({ plan: 'flood' }).success).toBe(false);
  });

  it('the commands route refuses unknown fields; the workflow Update validator still drops them, as recorded histories expect', () => {
    for (const command of [{ type: 'advance', reason: 'ready', sneaky: 1 }, { type: 'escalate', reason: 'worse', severty: 'I' }, { type: 'decide', reason: 'go', gateId: 'g', decision: 'proceed', extra: true }]) {
      const refused = IncidentCommandRequest.safeParse(command);
      expect(refused.success).toBe(false);
      expect(refused.error?.issues[0]?.code).toBe('unrecognized_keys');
      expect(IncidentCommand.safeParse(command).success).toBe(true);
    }
    expect(IncidentCommandRequest.parse({ type: 'escalate', reason: 'worse', severity: 'I' })).toEqual({ type: 'escalate', reason: 'worse', severity: 'I' });
    expect(IncidentCommand.parse({ type: 'advance', reason: 'ready', sneaky: 1 })).not.toHaveProperty('sneaky');
  });
});
