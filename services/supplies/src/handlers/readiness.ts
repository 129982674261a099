import { LifelineError, SEVERITY_FACTOR, suppliesEvents, type suppliesContract } from '@lifeline/contracts';
import type { ServiceContext } from '@lifeline/platform';
import { idFromKey } from '@lifeline/platform/ids';
import type { z } from 'zod';
import type { SuppliesConfig } from '../config';
import { isoDay } from '../domain/eligibility';
import { depotsOfArea, needsAttention, populationTarget, readinessReport } from '../domain/readiness';
import { retryWhenBusy } from '../model/busy';
import { findByIds, insertIfAbsent } from '../model/docs';
import { inspectionModel, targetModel, type InspectionDoc } from '../model/readiness';
import type { Stores } from '../model/stores';

type StockTarget = suppliesContract.StockTarget;
type InspectionRequest = z.infer<typeof suppliesContract.InspectionRequest>;
type ReadinessQuery = z.infer<typeof suppliesContract.ReadinessQuery>;

const toInspection = (d: InspectionDoc) => ({ inspectionId: d._id, depotId: d.depotId, inspectedOn: d.inspectedOn, inspectorId: d.inspectorId, findings: d.findings, changedLots: d.changedLots }) as z.infer<typeof suppliesContract.Inspection>;

/** Targets, inspections and the readiness report (expiry ahead, expired/condemned stock, overdue inspections, below target). */
export function readinessHandlers(ctx: ServiceContext, s: Stores, config: SuppliesConfig) {
  const targets = targetModel(ctx.db);
  const inspections = inspectionModel(ctx.db);

  async function seedTargets(list: StockTarget[]) {
    if (list.length === 0) return {};
    const docs = list.map((t) => ({ _id: `${t.communityId}/${t.itemCode}`, communityId: t.communityId, itemCode: t.itemCode, quantity: t.quantity ?? populationTarget(t.perThousandResidents!, t.population!) }));
    await targets.bulkWrite(docs.map(({ _id, ...t }) => ({ updateOne: { filter: { _id }, update: { $set: t }, upsert: true } })), { ordered: false });
    return { targets: list.length };
  }

  /** Record an inspection: findings set lot conditions (damaged/condemned stock is never reserved again). */
  async function inspect(req: InspectionRequest) {
    const id = idFromKey('insp', req.idempotencyKey, 24);
    const done = await inspections.findById(id).lean();
    if (done) return toInspection(done);
    const depot = await s.depots.findById(req.depotId).lean();
    if (!depot) throw new LifelineError('not_found', `no depot ${req.depotId}`, { depotId: req.depotId });
    if (req.inspectedOn > isoDay(new Date())) throw new LifelineError('invalid_request', 'an inspection cannot be dated in the future', { inspectedOn: req.inspectedOn });
    const lots = await findByIds(s.lots, req.findings.map((f) => f.lotId));
    const foreign = req.findings.filter((f) => !lots.some((l) => l._id === f.lotId && l.depotId === req.depotId)).map((f) => f.lotId);
    if (foreign.length) throw new LifelineError('invalid_request', 'findings name lots that are not in this depot', { lots: foreign });
    const changed = req.findings.filter((f) => lots.find((l) => l._id === f.lotId)!.condition !== f.condition);
    for (const f of changed) {
      await s.lots.updateOne({ _id: f.lotId }, { $set: { condition: f.condition } });
      const lot = lots.find((l) => l._id === f.lotId)!;
      s.directory.add([{ id: lot._id, depotId: lot.depotId, itemCode: lot.itemCode, expiresOn: lot.expiresOn, condition: f.condition }]);
    }
    if (!depot.lastInspectedOn || depot.lastInspectedOn < req.inspectedOn) await s.depots.updateOne({ _id: depot._id }, { $set: { lastInspectedOn: req.inspectedOn } });
    const doc: InspectionDoc = { _id: id, depotId: req.depotId, inspectedOn: req.inspectedOn, inspectorId: req.inspectorId, findings: req.findings, changedLots: changed.map((f) => f.lotId), at: new Date() };
    await insertIfAbsent(inspections, [doc]);
    const stored = toInspection((await inspections.findById(id).lean()) ?? doc);
    await ctx.events.publish(suppliesEvents.inspected, `${id}:inspected`, stored);
    return stored;
  }

  async function readiness(q: ReadinessQuery) {
    const all = [...(await s.allDepots()).values()];
    const area = depotsOfArea(q.areaId, all.map((d) => ({ ...d, id: d._id })));
    if (area.length === 0 && (await targets.find({ communityId: q.areaId }).lean()).length === 0) {
      throw new LifelineError('not_found', `no depots or targets for area ${q.areaId}`, { areaId: q.areaId });
    }
    const depotIds = area.map((d) => d.id);
    // Depots are re-read so inspection dates are current (the depot list itself is cached).
    const fresh = await findByIds(s.depots, depotIds);
    const lots = depotIds.length ? await s.lots.find({ depotId: { $in: depotIds } }).lean() : [];
    const communityIds = new Set([q.areaId, ...area.filter((d) => d.level === 'community').map((d) => d.areaId)]);
    const areaTargets = (await targets.find({}).lean()).filter((t) => communityIds.has(t.communityId));
    const report = readinessReport({
      areaId: q.areaId,
      asOf: q.asOf ?? isoDay(new Date()),
      withinDays: q.expiryWithinDays,
      defaultIntervalDays: config.SUPPLIES_INSPECTION_INTERVAL_DAYS,
      severityFactor: q.severity ? SEVERITY_FACTOR[q.severity] : 1,
      depots: fresh.map((d) => ({ ...d, id: d._id })),
      lots: lots.map((l) => ({ ...l, id: l._id })),
      targets: areaTargets,
    });
    // One alert per area, day and severity: a repeated query the same day is deduplicated by JetStream.
    if (needsAttention(report)) await ctx.events.publish(suppliesEvents.readinessAlert, `readiness:${q.areaId}:${report.asOf}:${q.severity ?? 'IV'}:${q.expiryWithinDays}`, report);
    return report;
  }

  return { seedTargets, inspect: (req: InspectionRequest) => retryWhenBusy(() => inspect(req)), readiness };
}
