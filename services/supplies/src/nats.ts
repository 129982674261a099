import { supplies, type suppliesContract } from '@lifeline/contracts';
import type { Handlers, ServiceContext } from '@lifeline/platform';
import type { z } from 'zod';
import type { SuppliesConfig } from './config';
import { summarize } from './domain/summary';
import { coverHandlers } from './handlers/cover';
import { previewHandlers } from './handlers/preview';
import { readinessHandlers } from './handlers/readiness';
import { siteHandlers } from './handlers/sites';
import { reservationHandlers } from './handlers/stock';
import { freshStock } from './model/lots';
import { toReservation } from './model/reservations';
import { insertIfAbsent } from './model/docs';
import { openStores } from './model/stores';

type Seed = z.infer<typeof suppliesContract.SeedStockRequest>;

/**
 * The supplies endpoints: stock seeding, reservations through their lifecycle, cover for shortfalls, sites, readiness;
 * and the background work they share state with (the reservation events' outbox: replay at start, then the sweep).
 */
export async function createHandlers(ctx: ServiceContext<SuppliesConfig>): Promise<{ handlers: Handlers<typeof supplies>; background: () => Promise<() => Promise<void>> }> {
  const config = ctx.config;
  const s = openStores(ctx.db, { lotAttempts: config.SUPPLIES_LOT_ATTEMPTS, storeWriters: config.SUPPLIES_STORE_WRITERS });
  const cover = coverHandlers(ctx, s);
  const { announcements, ...stock } = reservationHandlers(ctx, s, cover.proposeCover);
  const sites = siteHandlers(ctx);
  const readiness = readinessHandlers(ctx, s, config);
  const dryRun = previewHandlers(ctx, s, cover);

  /** Seed: upsert by id. A lot's stock is written only when the lot is new, so re-seeding keeps what was promised. */
  async function seed(req: Seed) {
    if (req.depots.length) {
      s.forgetChains();
      await s.depots.bulkWrite(req.depots.map(({ id, ...d }) => ({ updateOne: { filter: { _id: id }, update: withUnset(d, ['parentId', 'location', 'inspectionIntervalDays']), upsert: true } })), { ordered: false });
    }
    if (req.items.length) {
      await s.items.bulkWrite(req.items.map(({ code, ...i }) => ({ updateOne: { filter: { _id: code }, update: { $set: i }, upsert: true } })), { ordered: false });
    }
    if (req.lots.length) {
      // Stock only on first sight (insert-if-absent), so a re-seed never resets what was promised.
      await insertIfAbsent(s.lots, req.lots.map(({ id, quantity, ...l }) => ({ _id: id, ...l, ...freshStock(quantity) })));
      await s.lots.bulkWrite(
        req.lots.map((l) => {
          const about = { depotId: l.depotId, itemCode: l.itemCode, source: l.source, condition: l.condition };
          return { updateOne: { filter: { _id: l.id }, update: l.expiresOn === undefined ? { $set: about, $unset: { expiresOn: 1 } } : { $set: { ...about, expiresOn: l.expiresOn } } } };
        }),
        { ordered: false },
      );
      s.directory.add(req.lots);
    }
    const extra = { ...(await sites.seedSites(req.sites ?? [])), ...(await readiness.seedTargets(req.targets ?? [])), ...(await cover.seedEnterprises(req.enterprises ?? [])) };
    return { depots: req.depots.length, items: req.items.length, lots: req.lots.length, ...extra };
  }

  const handlers: Handlers<typeof supplies> = {
    seed,
    ...stock,
    summary: async ({ incidentId }) => {
      const docs = await s.reservations.find({ incidentId, status: { $ne: 'pending' } }).lean();
      return summarize(incidentId, docs.map(toReservation), { unusable: docs.flatMap((d) => d.unusable ?? []), ...(await cover.ofIncident(incidentId)) });
    },
    openSite: sites.openSite,
    closeSite: sites.closeSite,
    updateOccupancy: sites.updateOccupancy,
    updateTransfer: cover.updateTransfer,
    updateDonation: cover.updateDonation,
    inspect: readiness.inspect,
    readiness: readiness.readiness,
    preview: dryRun.preview,
  };
  return { handlers, background: () => announcements.start() };
}

/** `$set` what was sent and `$unset` the optional fields a re-seed left out, so the stored document matches it. */
function withUnset(doc: object, optional: string[]) {
  const absent = optional.filter((k) => (doc as Record<string, unknown>)[k] === undefined);
  const set = Object.fromEntries(Object.entries(doc).filter(([, v]) => v !== undefined));
  return absent.length ? { $set: set, $unset: Object.fromEntries(absent.map((k) => [k, 1 as const])) } : { $set: set };
}
