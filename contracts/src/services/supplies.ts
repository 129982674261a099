import { z } from 'zod';
import { CommunityId, IdempotencyKey, IncidentId, LocalizedText, Slug } from '../common';
import { endpoint, event } from '../define';

export const ItemCategory = z.enum(['shelter', 'medical', 'food-water', 'rescue-tools', 'protective', 'power']);
export const DepotLevel = z.enum(['city', 'district', 'sub-district', 'community']);
export const LotSource = z.enum(['government', 'community-fund', 'enterprise-donation']);
export const LotCondition = z.enum(['good', 'damaged', 'condemned']);

export const Depot = z.object({ id: Slug, name: LocalizedText, level: DepotLevel, areaId: Slug, parentId: Slug.optional() });
export const Item = z.object({ code: Slug, name: LocalizedText, unit: z.string().min(1).max(20), category: ItemCategory });
export const Lot = z.object({
  id: Slug,
  depotId: Slug,
  itemCode: Slug,
  quantity: z.number().int().nonnegative(),
  expiresOn: z.string().date().optional(),
  source: LotSource,
  condition: LotCondition.default('good'),
});
export type Depot = z.infer<typeof Depot>;
export type Item = z.infer<typeof Item>;
export type Lot = z.infer<typeof Lot>;

export const SeedStockRequest = z.object({
  depots: z.array(Depot).max(10000),
  items: z.array(Item).max(1000),
  lots: z.array(Lot).max(100000),
});
export const SeedStockResult = z.object({ depots: z.number().int(), items: z.number().int(), lots: z.number().int() });

export const ReserveRequest = z.object({
  idempotencyKey: IdempotencyKey,
  incidentId: IncidentId,
  communityId: CommunityId,
  lines: z.array(z.object({ itemCode: Slug, quantity: z.number().int().positive().max(1_000_000) })).min(1).max(100),
  drill: z.boolean().default(false),
});
export const ReservationStatus = z.enum(['reserved', 'issued', 'returned', 'released']);
export const Reservation = z.object({
  reservationId: z.string(),
  incidentId: IncidentId,
  communityId: CommunityId,
  status: ReservationStatus,
  lines: z.array(
    z.object({
      itemCode: Slug,
      requested: z.number().int(),
      reserved: z.number().int(),
      lots: z.array(z.object({ lotId: Slug, quantity: z.number().int() })),
    }),
  ),
  shortfalls: z.array(z.object({ itemCode: Slug, missing: z.number().int().positive() })),
});
export type Reservation = z.infer<typeof Reservation>;

export const ReservationCommand = z.object({ idempotencyKey: IdempotencyKey, reservationId: z.string().min(1), reason: z.string().max(500).optional() });

export const IncidentQuery = z.object({ incidentId: IncidentId });
export const SuppliesSummary = z.object({
  incidentId: IncidentId,
  reservations: z.number().int(),
  reserved: z.number().int(),
  issued: z.number().int(),
  returned: z.number().int(),
  released: z.number().int(),
  shortfall: z.number().int(),
  byCommunity: z.record(z.string(), z.object({ reserved: z.number().int(), issued: z.number().int(), shortfall: z.number().int() })),
});
export type SuppliesSummary = z.infer<typeof SuppliesSummary>;

export const supplies = {
  seed: endpoint('supplies', 'seed', 'Load depots, items and lots (idempotent upsert by id).', SeedStockRequest, SeedStockResult),
  reserve: endpoint('supplies', 'reserve', 'Reserve stock for a community, first-expiry-first-out, never expired or condemned lots.', ReserveRequest, Reservation),
  issue: endpoint('supplies', 'issue', 'Hand reserved stock out to the community (respond phase).', ReservationCommand, Reservation),
  return: endpoint('supplies', 'return', 'Return issued stock to its lots (recover phase).', ReservationCommand, Reservation),
  release: endpoint('supplies', 'release', 'Release a reservation that was never issued (stand-down).', ReservationCommand, Reservation),
  summary: endpoint('supplies', 'summary', 'Reservation figures for an incident.', IncidentQuery, SuppliesSummary),
} as const;

export const suppliesEvents = {
  reserved: event('supplies', 'reservation-made', 'Stock was reserved for a community.', Reservation),
  issued: event('supplies', 'reservation-issued', 'Reserved stock was issued.', Reservation),
  returned: event('supplies', 'reservation-returned', 'Issued stock came back.', Reservation),
  released: event('supplies', 'reservation-released', 'A reservation was released without being issued.', Reservation),
  shortfall: event('supplies', 'shortfall-detected', 'A community could not be covered in full.', z.object({ incidentId: IncidentId, communityId: CommunityId, shortfalls: Reservation.shape.shortfalls })),
} as const;
