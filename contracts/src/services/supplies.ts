import { z } from 'zod';
import { CommunityId, IdempotencyKey, IncidentId, LocalizedText, Severity, Slug } from '../common';
import { endpoint, event } from '../define';
import { atLeastOne } from '../rules';

export const ItemCategory = z.enum(['shelter', 'medical', 'food-water', 'rescue-tools', 'protective', 'power']);
export const DepotLevel = z.enum(['city', 'district', 'sub-district', 'community']);
export const LotSource = z.enum(['government', 'community-fund', 'enterprise-donation']);
export const LotCondition = z.enum(['good', 'damaged', 'condemned']);

/** WGS-84 coordinates; used to rank depots by distance when a shortfall needs a transfer. */
export const GeoPoint = z.strictObject({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180) });
export type GeoPoint = z.infer<typeof GeoPoint>;

export const Depot = z.strictObject({
  id: Slug,
  name: LocalizedText,
  level: DepotLevel,
  areaId: Slug,
  parentId: Slug.optional(),
  location: GeoPoint.optional(),
  /** Days between inspections before the depot counts as overdue (the service's default when absent). */
  inspectionIntervalDays: z.number().int().positive().max(3650).optional(),
});
export const Item = z.strictObject({ code: Slug, name: LocalizedText, unit: z.string().min(1).max(20), category: ItemCategory });
export const Lot = z.strictObject({
  id: Slug,
  depotId: Slug,
  itemCode: Slug,
  quantity: z.number().int().nonnegative(),
  expiresOn: z.string().date().optional(),
  source: LotSource,
  condition: LotCondition.default('good'),
});
export const SiteKind = z.enum(['park', 'square', 'community-centre', 'school']);
/** A shelter or gathering site a plan step may open. */
export const Site = z.strictObject({ id: Slug, name: LocalizedText, kind: SiteKind, communityId: CommunityId, capacity: z.number().int().positive().max(1_000_000), location: GeoPoint.optional() });
/**
 * How many units of an item a community should hold at severity IV: a `quantity`, or `perThousandResidents` of its
 * `population` (rounded up). Readiness scales it by the severity asked about.
 */
export const StockTarget = atLeastOne(
  z.strictObject({
    communityId: CommunityId,
    itemCode: Slug,
    quantity: z.number().int().nonnegative().max(10_000_000).optional(),
    perThousandResidents: z.number().nonnegative().max(1_000_000).optional(),
    population: z.number().int().nonnegative().max(100_000_000).optional(),
  }),
  [['quantity'], ['perThousandResidents', 'population']],
  { message: 'give quantity, or perThousandResidents and population' },
);
/** An enterprise that has agreed to be asked for donations of some categories of supplies. */
export const Enterprise = z.strictObject({ id: Slug, name: LocalizedText, categories: z.array(ItemCategory).min(1).max(6), districtIds: z.array(Slug).max(100).optional(), location: GeoPoint.optional() });
export type Depot = z.infer<typeof Depot>;
export type Site = z.infer<typeof Site>;
export type StockTarget = z.infer<typeof StockTarget>;
export type Enterprise = z.infer<typeof Enterprise>;
export type Item = z.infer<typeof Item>;
export type Lot = z.infer<typeof Lot>;

export const SeedStockRequest = z.strictObject({
  depots: z.array(Depot).max(10000),
  items: z.array(Item).max(1000),
  lots: z.array(Lot).max(100000),
  sites: z.array(Site).max(10000).optional(),
  targets: z.array(StockTarget).max(100000).optional(),
  enterprises: z.array(Enterprise).max(10000).optional(),
});
export const SeedStockResult = z.object({
  depots: z.number().int(),
  items: z.number().int(),
  lots: z.number().int(),
  sites: z.number().int().optional(),
  targets: z.number().int().optional(),
  enterprises: z.number().int().optional(),
});

export const ReserveRequest = z.strictObject({
  idempotencyKey: IdempotencyKey,
  incidentId: IncidentId,
  communityId: CommunityId,
  lines: z.array(z.strictObject({ itemCode: Slug, quantity: z.number().int().positive().max(1_000_000) })).min(1).max(100),
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

export const ReservationCommand = z.strictObject({ idempotencyKey: IdempotencyKey, reservationId: z.string().min(1), reason: z.string().max(500).optional() });

/** A proposal to move stock from a depot outside the community's chain to the community's stockpile. */
export const TransferStatus = z.enum(['proposed', 'approved', 'dispatched', 'received', 'rejected', 'cancelled']);
export const Transfer = z.object({
  transferId: z.string(),
  incidentId: IncidentId,
  communityId: CommunityId,
  reservationId: z.string(),
  itemCode: Slug,
  quantity: z.number().int().positive(),
  fromDepotId: Slug,
  fromLotId: Slug,
  toDepotId: Slug.optional(),
  distanceKm: z.number().nonnegative().optional(),
  status: TransferStatus,
});
export type Transfer = z.infer<typeof Transfer>;

/** A request to a registered enterprise for what no depot could cover. */
export const DonationStatus = z.enum(['requested', 'pledged', 'received', 'declined', 'cancelled']);
export const DonationRequest = z.object({
  donationId: z.string(),
  incidentId: IncidentId,
  communityId: CommunityId,
  reservationId: z.string(),
  enterpriseId: Slug,
  itemCode: Slug,
  quantity: z.number().int().positive(),
  status: DonationStatus,
  /** Units the enterprise pledged or delivered (may differ from what was asked). */
  pledged: z.number().int().nonnegative().optional(),
  /** The lot created at the community's stockpile when the donation arrived. */
  lotId: Slug.optional(),
});
export type DonationRequest = z.infer<typeof DonationRequest>;

export const IncidentQuery = z.strictObject({ incidentId: IncidentId });
export const SuppliesSummary = z.object({
  incidentId: IncidentId,
  reservations: z.number().int(),
  reserved: z.number().int(),
  issued: z.number().int(),
  returned: z.number().int(),
  released: z.number().int(),
  shortfall: z.number().int(),
  byCommunity: z.record(z.string(), z.object({ reserved: z.number().int(), issued: z.number().int(), shortfall: z.number().int() })),
  /** Units per item code, as flows like the totals. */
  byItem: z.record(z.string(), z.object({ reserved: z.number().int(), issued: z.number().int(), returned: z.number().int(), released: z.number().int(), shortfall: z.number().int() })).optional(),
  /** Missing units per community, then per item code. */
  shortfallByCommunity: z.record(z.string(), z.record(z.string(), z.number().int())).optional(),
  /** Expired, damaged or condemned lots the incident's reservations found (and skipped) in the depots they drew from. */
  unusableLots: z.array(z.object({ lotId: Slug, depotId: Slug, itemCode: Slug, quantity: z.number().int(), reason: z.enum(['expired', 'damaged', 'condemned']) })).optional(),
  transfers: z.array(Transfer).optional(),
  donationRequests: z.array(DonationRequest).optional(),
});
export type SuppliesSummary = z.infer<typeof SuppliesSummary>;

export const UpdateTransferRequest = z.strictObject({ idempotencyKey: IdempotencyKey, transferId: z.string().min(1).max(100), status: TransferStatus.exclude(['proposed']), reason: z.string().max(500).optional() });
export const UpdateDonationRequest = z.strictObject({
  idempotencyKey: IdempotencyKey,
  donationId: z.string().min(1).max(100),
  status: DonationStatus.exclude(['requested']),
  /** Units pledged or received; defaults to what was asked. */
  quantity: z.number().int().positive().max(1_000_000).optional(),
  /** Expiry of the donated stock, for perishable items. */
  expiresOn: z.string().date().optional(),
  reason: z.string().max(500).optional(),
});

/** Open the community's sites of the given kinds until they hold `capacity` people (the plan's `open-site` step). */
export const OpenSiteRequest = z.strictObject({
  idempotencyKey: IdempotencyKey,
  incidentId: IncidentId,
  communityId: CommunityId,
  siteKinds: z.array(SiteKind).min(1).max(4),
  /** Places needed (population × the step's capacityShare); 0 opens one site of each kind asked. */
  capacity: z.number().int().nonnegative().max(10_000_000),
  drill: z.boolean().default(false),
});
export const CloseSiteRequest = z.strictObject({
  idempotencyKey: IdempotencyKey,
  incidentId: IncidentId,
  communityId: CommunityId,
  /** Sites to close; all the incident's open sites in the community when absent. */
  siteIds: z.array(Slug).min(1).max(100).optional(),
});
export const SiteStatus = z.enum(['open', 'closed']);
export const OpenSite = z.object({ siteId: Slug, kind: SiteKind, capacity: z.number().int(), occupancy: z.number().int().nonnegative(), status: SiteStatus });
export const SiteOpening = z.object({
  incidentId: IncidentId,
  communityId: CommunityId,
  /** Places asked for and places the opened sites hold. */
  requested: z.number().int(),
  capacity: z.number().int(),
  /** Places that could not be found (requested − capacity, at least 0). */
  shortfall: z.number().int().nonnegative(),
  sites: z.array(OpenSite),
});
export type SiteOpening = z.infer<typeof SiteOpening>;
export const OccupancyUpdate = z.strictObject({ idempotencyKey: IdempotencyKey, incidentId: IncidentId, siteId: Slug, occupancy: z.number().int().nonnegative().max(1_000_000), reportedAt: z.string().datetime().optional() });

/** What an inspector found at a depot: a condition per lot looked at (lots not listed were not inspected). */
export const InspectionRequest = z.strictObject({
  idempotencyKey: IdempotencyKey,
  depotId: Slug,
  inspectedOn: z.string().date(),
  /** Pseudonymous id of the inspector (no names). */
  inspectorId: Slug,
  findings: z.array(z.strictObject({ lotId: Slug, condition: LotCondition, counted: z.number().int().nonnegative().optional(), note: z.string().max(500).optional() })).max(1000),
});
export const Inspection = z.object({ inspectionId: z.string(), depotId: Slug, inspectedOn: z.string().date(), inspectorId: Slug, findings: InspectionRequest.shape.findings, changedLots: z.array(Slug) });

export const ReadinessQuery = z.strictObject({
  /** A community, district, sub-district or city area id (depots below it are included). */
  areaId: Slug,
  expiryWithinDays: z.number().int().min(0).max(3650).default(30),
  asOf: z.string().date().optional(),
  /** Judge stock against targets scaled for this severity (default IV: targets as given). */
  severity: Severity.optional(),
});
export const ReadinessReport = z.object({
  areaId: Slug,
  asOf: z.string().date(),
  expiryWithinDays: z.number().int(),
  depots: z.number().int(),
  expiring: z.array(z.object({ lotId: Slug, depotId: Slug, itemCode: Slug, quantity: z.number().int(), expiresOn: z.string().date(), daysLeft: z.number().int() })),
  expired: z.array(z.object({ lotId: Slug, depotId: Slug, itemCode: Slug, quantity: z.number().int(), expiresOn: z.string().date() })),
  condemned: z.array(z.object({ lotId: Slug, depotId: Slug, itemCode: Slug, quantity: z.number().int(), condition: LotCondition })),
  overdueInspections: z.array(z.object({ depotId: Slug, lastInspectedOn: z.string().date().optional(), dueOn: z.string().date().optional() })),
  belowTarget: z.array(z.object({ communityId: CommunityId, itemCode: Slug, target: z.number().int(), usable: z.number().int(), missing: z.number().int() })),
});
export type ReadinessReport = z.infer<typeof ReadinessReport>;

/**
 * A dry run of a plan's supplies (`POST /v1/plans/:id/preview`): the reservations and site openings its steps would ask
 * for, answered from current stock and registered sites without writing, holding or publishing anything.
 */
export const PreviewRequest = z.strictObject({
  /** One per reserve step and community, as the workflow would send them (lines scaled by population and severity). */
  reservations: z.array(z.strictObject({ communityId: CommunityId, stepId: Slug, lines: ReserveRequest.shape.lines })).max(20_000).default([]),
  /** One per open-site step and community: places = population × the step's capacityShare. */
  sites: z.array(z.strictObject({ communityId: CommunityId, stepId: Slug, siteKinds: OpenSiteRequest.shape.siteKinds, capacity: OpenSiteRequest.shape.capacity })).max(20_000).default([]),
});
const PreviewLine = z.object({ itemCode: Slug, requested: z.number().int(), reservable: z.number().int(), shortfall: z.number().int() });
export const Preview = z.object({
  /** The day stock was judged on (expired lots are never counted). */
  asOf: z.string().date(),
  /** As a drill records each reservation: planned on its own against the usable stock available now in the community's depot chain. */
  reservations: z.array(z.object({ communityId: CommunityId, stepId: Slug, lines: z.array(PreviewLine) })),
  /** As a live incident would draw, reservation after reservation (first-expiry-first-out down each chain): units available now and drawn, per depot and item. */
  depots: z.array(z.object({ depotId: Slug, level: DepotLevel.optional(), itemCode: Slug, available: z.number().int(), drawn: z.number().int() })),
  /** What the live draw leaves missing, per community and item. */
  shortfalls: z.array(z.object({ communityId: CommunityId, itemCode: Slug, missing: z.number().int().positive() })),
  /** The cover a live incident's reservations would be proposed for those shortfalls: transfers from the nearest depots outside the community's chain, then donation requests. */
  transfers: z.array(z.object({ communityId: CommunityId, itemCode: Slug, quantity: z.number().int().positive(), fromDepotId: Slug, fromLotId: Slug, distanceKm: z.number().nonnegative().optional() })),
  donations: z.array(z.object({ communityId: CommunityId, itemCode: Slug, quantity: z.number().int().positive(), enterpriseId: Slug })),
  /** Missing units neither a transfer nor a registered enterprise would cover. */
  uncovered: z.array(z.object({ communityId: CommunityId, itemCode: Slug, missing: z.number().int().positive() })),
  /** The sites each open-site step would open (as `open-site` chooses them), their places and the places short. */
  sites: z.array(
    z.object({
      communityId: CommunityId,
      stepId: Slug,
      requested: z.number().int(),
      capacity: z.number().int(),
      shortfall: z.number().int().nonnegative(),
      /** Sites of every kind registered in the community (0: the step would be refused with not_found). */
      registered: z.number().int(),
      sites: z.array(z.object({ siteId: Slug, kind: SiteKind, capacity: z.number().int() })),
    }),
  ),
});
export type Preview = z.infer<typeof Preview>;

export const supplies = {
  seed: endpoint('supplies', 'seed', 'Load depots, items and lots (idempotent upsert by id).', SeedStockRequest, SeedStockResult),
  reserve: endpoint('supplies', 'reserve', 'Reserve stock for a community, first-expiry-first-out, never expired or condemned lots.', ReserveRequest, Reservation),
  issue: endpoint('supplies', 'issue', 'Hand reserved stock out to the community (respond phase).', ReservationCommand, Reservation),
  return: endpoint('supplies', 'return', 'Return issued stock to its lots (recover phase).', ReservationCommand, Reservation),
  release: endpoint('supplies', 'release', 'Release a reservation that was never issued (stand-down).', ReservationCommand, Reservation),
  summary: endpoint('supplies', 'summary', 'Reservation figures for an incident.', IncidentQuery, SuppliesSummary),
  openSite: endpoint('supplies', 'open-site', 'Open shelters/gathering sites of the given kinds in a community for an incident.', OpenSiteRequest, SiteOpening),
  closeSite: endpoint('supplies', 'close-site', 'Close the sites an incident opened in a community.', CloseSiteRequest, SiteOpening),
  updateOccupancy: endpoint('supplies', 'update-occupancy', 'Report how many people an open site holds.', OccupancyUpdate, OpenSite),
  updateTransfer: endpoint('supplies', 'update-transfer', 'Move a transfer proposal on: approved (stock held), dispatched, received (stock lands), rejected, cancelled.', UpdateTransferRequest, Transfer),
  updateDonation: endpoint('supplies', 'update-donation', 'Record an enterprise answer: pledged, received (a lot is created), declined, cancelled.', UpdateDonationRequest, DonationRequest),
  inspect: endpoint('supplies', 'inspect', 'Record a depot inspection; findings set lot conditions.', InspectionRequest, Inspection),
  readiness: endpoint('supplies', 'readiness', 'Readiness of an area: lots expiring soon or expired, condemned stock, overdue inspections, stock below target.', ReadinessQuery, ReadinessReport),
  preview: endpoint('supplies', 'preview', "A plan's dry run: what its reservations and site openings would get from current stock and sites, per depot, with shortfalls and the cover that would be proposed; writes, holds and publishes nothing.", PreviewRequest, Preview),
} as const;

export const suppliesEvents = {
  reserved: event('supplies', 'reservation-made', 'Stock was reserved for a community.', Reservation),
  issued: event('supplies', 'reservation-issued', 'Reserved stock was issued.', Reservation),
  returned: event('supplies', 'reservation-returned', 'Issued stock came back.', Reservation),
  released: event('supplies', 'reservation-released', 'A reservation was released without being issued.', Reservation),
  shortfall: event('supplies', 'shortfall-detected', 'A community could not be covered in full.', z.object({ incidentId: IncidentId, communityId: CommunityId, shortfalls: Reservation.shape.shortfalls })),
  transferProposed: event('supplies', 'transfer-proposed', 'A transfer from another depot was proposed to cover a shortfall.', Transfer),
  transferUpdated: event('supplies', 'transfer-updated', 'A transfer changed status.', Transfer),
  donationRequested: event('supplies', 'donation-requested', 'A registered enterprise was asked to donate what no depot could cover.', DonationRequest),
  donationUpdated: event('supplies', 'donation-updated', 'A donation request changed status.', DonationRequest),
  siteOpened: event('supplies', 'site-opened', 'Sites were opened for an incident in a community.', SiteOpening),
  siteClosed: event('supplies', 'site-closed', 'Sites an incident opened were closed.', SiteOpening),
  occupancyUpdated: event('supplies', 'occupancy-updated', 'An open site reported its occupancy.', OpenSite.extend({ incidentId: IncidentId })),
  inspected: event('supplies', 'depot-inspected', 'A depot was inspected.', Inspection),
  readinessAlert: event('supplies', 'readiness-alert', 'An area has lots expiring or expired, condemned stock, overdue inspections or stock below target.', ReadinessReport),
} as const;
