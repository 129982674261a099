import { incentives, notification, personnel, supplies, type Endpoint } from '@lifeline/contracts';
import { call, type NatsConnection } from '@lifeline/platform';
import type { ServiceFigures } from '@lifeline/review';

type Sources = Record<string, { ok: boolean; note?: string }>;
type Loose = Record<string, unknown>;

const rec = (v: unknown): Loose => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Loose) : {});
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** An endpoint by verb, if the contracts this build compiled against define it (other teams add endpoints over time). */
const endpointOf = (group: object, verb: string): Endpoint | undefined => (group as Record<string, Endpoint | undefined>)[verb];

/**
 * Ask a service; a missing endpoint or a failing service is recorded in `sources` and the report goes on without it.
 * The reply is validated by `call` against the contract.
 */
async function ask(nc: NatsConnection, sources: Sources, name: string, ep: Endpoint | undefined, request: unknown): Promise<Loose | undefined> {
  if (!ep) {
    sources[name] = { ok: false, note: 'endpoint not in the contracts yet' };
    return undefined;
  }
  try {
    const result = rec(await call(nc, ep, request as never, { timeoutMs: 15_000 }));
    sources[name] = { ok: true };
    return result;
  } catch (err) {
    sources[name] = { ok: false, note: (err as Error).message.slice(0, 300) };
    return undefined;
  }
}

export function suppliesFigures(s: Loose): ServiceFigures['supplies'] {
  const byItem = Object.fromEntries(Object.entries(rec(s.byItem)).map(([item, f]) => [item, defined({ reserved: num(rec(f).reserved), issued: num(rec(f).issued), returned: num(rec(f).returned), shortfall: num(rec(f).shortfall) })]));
  const shortfalls = Object.entries(rec(s.shortfallByCommunity)).flatMap(([communityId, items]) =>
    Object.entries(rec(items)).map(([itemCode, missing]) => ({ communityId, itemCode, missing: num(missing) ?? 0 })),
  );
  const unusable = Array.isArray(s.unusableLots) ? s.unusableLots.map(rec) : [];
  return defined({
    byItem: Object.keys(byItem).length ? byItem : undefined,
    shortfalls: s.shortfallByCommunity ? shortfalls : undefined,
    staleStock: s.unusableLots ? unusable.map((l) => ({ itemCode: String(l.itemCode), depotId: String(l.depotId), lotId: String(l.lotId), quantity: num(l.quantity) ?? 0, reason: String(l.reason) })) : undefined,
  });
}

export function personnelFigures(p: Loose): ServiceFigures['personnel'] {
  const hours = Object.values(rec(p.hoursByParticipant)).reduce<number>((sum, h) => sum + (num(h) ?? 0), 0);
  return defined({
    nonAcknowledging: Array.isArray(p.nonAcknowledging) ? p.nonAcknowledging.map((personId) => ({ personId: String(personId) })) : undefined,
    hours: p.hoursByParticipant ? hours : undefined,
  });
}

export function notificationFigures(n: Loose): ServiceFigures['notification'] {
  const reach = rec(n.timeToReach);
  const cases = rec(n.cases);
  const replies = n.repliesByKind ? Object.values(rec(n.repliesByKind)).reduce<number>((s, v) => s + (num(v) ?? 0), 0) : undefined;
  return defined({
    failed: num(n.failed),
    timeToReach: n.timeToReach ? defined({ p50: num(reach.p50), p90: num(reach.p90), p100: num(reach.p100) }) : undefined,
    byChannel: n.byChannel ? Object.fromEntries(Object.entries(rec(n.byChannel)).map(([c, f]) => [c, defined({ sent: num(rec(f).sent) ?? 0, failed: num(rec(f).failed) })])) : undefined,
    replies,
    cases: n.cases ? defined({ opened: num(cases.opened) ?? 0, closed: num(cases.closed) ?? 0, medianSecondsToClose: num(cases.medianSecondsToClose) }) : undefined,
    doorKnocks: num(n.doorKnocks),
  });
}

export function incentivesFigures(i: Loose): ServiceFigures['incentives'] {
  return defined({
    awards: num(i.awards),
    points: num(i.points),
    participants: num(i.participants),
    hours: num(i.volunteerHours),
    pointsByType: i.pointsByParticipantType ? (rec(i.pointsByParticipantType) as Record<string, number>) : undefined,
    top: Array.isArray(i.topParticipants) ? i.topParticipants.map((id) => ({ participantId: String(id), points: 0 })) : undefined,
  });
}

/** Spans the personnel readiness report flags, as grids (the finding's subjects) per community. */
export function readinessGrids(r: Loose): NonNullable<ServiceFigures['readiness']> {
  const grids: NonNullable<ServiceFigures['readiness']>['grids'] = [];
  for (const community of Array.isArray(r.communities) ? r.communities.map(rec) : []) {
    for (const finding of Array.isArray(community.findings) ? community.findings.map(rec) : []) {
      if (finding.code !== 'span-people' && finding.code !== 'span-households') continue;
      const subjects = Array.isArray(finding.subjects) && finding.subjects.length ? finding.subjects.map(String) : [String(community.communityId)];
      for (const gridId of subjects) grids.push({ gridId, communityId: String(community.communityId), span: num(finding.value) ?? 0, tooWide: true });
    }
  }
  return { grids };
}

/** Every service's figures for the incident (summaries, honour candidates, readiness of the area), degrading per source. */
export async function readServiceFigures(nc: NatsConnection, incidentId: string, communityIds: string[], sources: Sources): Promise<ServiceFigures> {
  const [s, p, n, i, honours, readiness] = await Promise.all([
    ask(nc, sources, 'supplies', supplies.summary, { incidentId }),
    ask(nc, sources, 'personnel', personnel.summary, { incidentId }),
    ask(nc, sources, 'notification', notification.summary, { incidentId }),
    ask(nc, sources, 'incentives', incentives.summary, { incidentId }),
    ask(nc, sources, 'honourCandidates', endpointOf(incentives, 'honourCandidates'), { incidentId }),
    communityIds.length ? ask(nc, sources, 'personnelReadiness', endpointOf(personnel, 'readiness'), { area: { communityIds } }) : Promise.resolve(undefined),
  ]);
  const candidates = Array.isArray(honours?.candidates) ? honours.candidates.map(rec) : undefined;
  return defined({
    supplies: s && suppliesFigures(s),
    personnel: p && personnelFigures(p),
    notification: n && notificationFigures(n),
    incentives: i && incentivesFigures(i),
    honourCandidates: candidates?.map((c) => defined({ participantId: String(c.participantId), honour: typeof c.kind === 'string' ? c.kind : undefined, points: num(rec(c.figures).points), reason: typeof c.reason === 'string' ? c.reason : undefined })),
    readiness: readiness && readinessGrids(readiness),
  });
}
