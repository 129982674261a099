import type { z } from 'zod';
import { LifelineError, type notificationContract } from '@lifeline/contracts';
import type { ServiceContext } from '@lifeline/platform';
import { sheetIdOf, type SheetState } from './domain/sheet';
import { jobModel } from './model/job';
import { residentModel } from './model/resident';
import { broadcastRecords } from './sheets';

type DeliveryQuery = z.infer<typeof notificationContract.DeliveryQuery>;
type ResidentDeliveries = notificationContract.ResidentDeliveries;
type StepDelivery = ResidentDeliveries['steps'][number];
type Channel = z.infer<typeof notificationContract.Channel>;

/** One resident's entry on a resolved sheet, as the operator's answer. */
function stepDelivery(stepId: string, state: SheetState, residentId: string): StepDelivery | undefined {
  const owner = state.owners.get(residentId);
  if (!owner) return undefined;
  const o = state.outcomes.get(residentId);
  if (!o) return { stepId, status: 'pending', jobId: owner.jobId };
  return {
    stepId,
    status: o.status,
    jobId: owner.jobId,
    channel: o.channel as Channel,
    ...(o.fallbackFrom ? { fallbackFrom: o.fallbackFrom as Channel } : {}),
    at: new Date(o.at).toISOString(),
    ...(o.receiptId ? { receiptId: o.receiptId } : {}),
  };
}

/**
 * "Was resident X reached by step Y, on which channel, when": the resident's page (and the pages they were on
 * before a move) gives the delivery sheets to read, one look-up for every step and page at once.
 */
export function residentDeliveries(ctx: ServiceContext) {
  const Residents = residentModel(ctx.db);
  const Jobs = jobModel(ctx.db);
  const records = broadcastRecords(ctx);

  return {
    async lookup({ incidentId, residentId, stepId }: DeliveryQuery): Promise<ResidentDeliveries> {
      const resident = await Residents.findById(residentId, { pageId: 1, formerPageIds: 1 }).lean();
      if (!resident) throw new LifelineError('not_found', `no resident ${residentId}`, [{ path: 'residentId', message: 'unknown resident' }]);
      const pages = [...new Set([...(resident.pageId ? [resident.pageId] : []), ...(resident.formerPageIds ?? [])])];
      const steps = stepId ? [stepId] : [...new Set((await Jobs.find({ incidentId }, { stepId: 1 }).lean()).map((j) => j.stepId))].sort();
      const wanted = steps.flatMap((s) => pages.map((p) => ({ stepId: s, sheetId: sheetIdOf(incidentId, s, p) })));
      const sheets = await records.sheets(wanted.map((w) => w.sheetId));
      const found = wanted.flatMap((w) => {
        const sheet = sheets.get(w.sheetId);
        const entry = sheet && stepDelivery(w.stepId, sheet, residentId);
        return entry ? [entry] : [];
      });
      return { incidentId, residentId, steps: found };
    },
  };
}
