import { supplies, type LifelineError } from '@lifeline/contracts';
import { call, decodeJson, encodeJson } from '@lifeline/platform';
import { lotRow, openHarness, world, type Harness } from './fixtures';

/** Bad input, shortfall cover (transfers, donations), sites, inspections, readiness and the read API, over NATS and HTTP. */
let h: Harness;
let incidentId: string;
const label = { zh: '测试', en: 'test' };
const httpBase = `http://127.0.0.1:${Number(process.env.HTTP_PORT ?? 8080) + 1}`;

beforeAll(async () => {
  h = await openHarness('supplies-operations-test');
  incidentId = `inc-ops-${h.run}`;
});
afterAll(async () => {
  await h?.close();
});

/** A raw request, so malformed bodies reach the service as sent. */
const raw = async (subject: string, body: unknown) => decodeJson((await h.nc.request(subject, typeof body === 'string' ? new TextEncoder().encode(body) : encodeJson(body), { timeout: 30_000 })).data) as { ok: boolean; error?: { code: string; details?: unknown } };
const counts = async () => ({
  reservations: await h.db.collection('reservations').countDocuments({ incidentId }),
  holds: await h.db.collection('holds').countDocuments({}),
  lots: await h.db.collection('lots').countDocuments({}),
});

it('bad input gets a structured error and writes nothing', async () => {
  const w = await world(h, 'bad');
  const lot = w.lot('kits', 10);
  const stale = w.lot('stale', 10, { itemCode: w.items[0], expiresOn: '2001-01-01' });
  await w.seedLots([lot, stale]);
  const reserve = (over: object) => ({ idempotencyKey: w.key(`bad-${Math.random()}`, incidentId), incidentId, communityId: w.ids.community, lines: [{ itemCode: w.items[0], quantity: 1 }], ...over });
  const before = await counts();

  const cases: [string, unknown, string][] = [
    ['negative quantity', reserve({ lines: [{ itemCode: w.items[0], quantity: -3 }] }), 'lines.0.quantity'],
    ['quantity as a string', reserve({ lines: [{ itemCode: w.items[0], quantity: '3' }] }), 'lines.0.quantity'],
    ['fractional quantity', reserve({ lines: [{ itemCode: w.items[0], quantity: 1.5 }] }), 'lines.0.quantity'],
    ['too many lines', reserve({ lines: Array.from({ length: 101 }, (_, i) => ({ itemCode: `x${i}`, quantity: 1 })) }), 'lines'],
    ['oversized reason', { idempotencyKey: w.key('long', incidentId), reservationId: 'res-x', reason: 'x'.repeat(5000) }, 'reason'],
    ['missing incident', { ...reserve({}), incidentId: undefined }, 'incidentId'],
  ];
  for (const [what, body, path] of cases) {
    const subject = what === 'oversized reason' ? supplies.issue.subject : supplies.reserve.subject;
    const reply = await raw(subject, body);
    expect({ what, ok: reply.ok, code: reply.error?.code }).toEqual({ what, ok: false, code: 'invalid_request' });
    expect((reply.error!.details as { path: string }[]).map((d) => d.path)).toContain(path);
  }
  expect(await raw(supplies.reserve.subject, '{not json')).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
  const unknown = await raw(supplies.reserve.subject, reserve({ lines: [{ itemCode: `nothing-${h.run}`, quantity: 1 }] }));
  expect(unknown).toMatchObject({ ok: false, error: { code: 'invalid_request', details: { unknown: [`nothing-${h.run}`] } } });
  const oversized = await h.nc.request(supplies.seed.subject, encodeJson({ depots: [], items: [], lots: [], pad: 'x'.repeat(2_000_000) }), { timeout: 10_000 }).catch((e: Error) => e);
  expect(oversized).toBeInstanceOf(Error);
  expect(await counts()).toEqual(before);

  // Expired stock is never reserved: with only 10 good units, asking for 15 leaves 5 short and the expired lot untouched.
  const r = await w.reserve('expired-only', [{ itemCode: w.items[0]!, quantity: 15 }], incidentId);
  expect(r.lines[0]!.lots).toEqual([{ lotId: lot.id, quantity: 10 }]);
  expect(r.shortfalls).toEqual([{ itemCode: w.items[0], missing: 5 }]);
  expect(await lotRow(h.db, stale.id)).toMatchObject({ available: 10, held: 0, v: 0 });
  const summary = await call(h.nc, supplies.summary, { incidentId });
  expect(summary.unusableLots).toContainEqual({ lotId: stale.id, depotId: w.ids.communityDepot, itemCode: w.items[0], quantity: 10, reason: 'expired' });
});

it('a shortfall proposes a transfer from the nearest depot and a donation request; both move stock when carried out', async () => {
  const w = await world(h, 'short');
  const s = `short-${h.run}`;
  const item = w.items[0]!;
  // Two neighbouring communities under the same district; the nearer one (by location) has stock.
  await call(h.nc, supplies.seed, {
    depots: [
      { id: w.ids.communityDepot, name: label, level: 'community', areaId: w.ids.community, parentId: w.ids.districtDepot, location: { lat: 31.23, lng: 121.47 } },
      { id: `near-${s}`, name: label, level: 'community', areaId: `cn-${s}`, parentId: w.ids.districtDepot, location: { lat: 31.24, lng: 121.48 } },
      { id: `far-${s}`, name: label, level: 'community', areaId: `cf-${s}`, parentId: w.ids.districtDepot, location: { lat: 31.5, lng: 121.9 } },
    ],
    items: [],
    lots: [w.lot('home', 4), w.lot('near', 3, { depotId: `near-${s}` }), w.lot('far', 50, { depotId: `far-${s}` })],
    enterprises: [{ id: `ent-${s}`, name: label, categories: ['shelter'], districtIds: [w.ids.district] }],
  });

  const r = await w.reserve('short', [{ itemCode: item, quantity: 20 }], incidentId);
  expect(r.shortfalls).toEqual([{ itemCode: item, missing: 16 }]);
  const cover = await call(h.nc, supplies.summary, { incidentId });
  const transfers = cover.transfers!.filter((t) => t.reservationId === r.reservationId);
  expect(transfers.map((t) => [t.fromDepotId, t.quantity, t.status])).toEqual([
    [`near-${s}`, 3, 'proposed'],
    [`far-${s}`, 13, 'proposed'],
  ]);
  expect(cover.donationRequests!.filter((d) => d.reservationId === r.reservationId)).toEqual([]);

  // Carry out the nearest transfer: approved holds the stock, dispatched takes it off the shelf, received lands a lot.
  const move = (status: 'approved' | 'dispatched' | 'received', key: string = status) => call(h.nc, supplies.updateTransfer, { idempotencyKey: w.key(`tr-${key}`, incidentId), transferId: transfers[0]!.transferId, status });
  expect(await move('approved')).toMatchObject({ status: 'approved', quantity: 3 });
  expect(await lotRow(h.db, w.lot('near', 0).id)).toMatchObject({ quantity: 3, available: 0 });
  expect(await move('approved')).toMatchObject({ status: 'approved' });
  await expect(move('received', 'skip')).rejects.toMatchObject({ code: 'invalid_state' });
  await move('dispatched');
  expect(await move('received')).toMatchObject({ status: 'received' });
  expect(await lotRow(h.db, w.lot('near', 0).id)).toMatchObject({ quantity: 0, available: 0 });
  expect(await lotRow(h.db, transfers[0]!.transferId)).toMatchObject({ quantity: 3, available: 3, itemCode: item });
  const landed = await h.db.collection('lots').findOne({ _id: transfers[0]!.transferId as never });
  expect(landed).toMatchObject({ depotId: w.ids.communityDepot });

  // Nothing left anywhere: the rest goes to the registered enterprise, whose donation becomes a lot when it arrives.
  const again = await w.reserve('short-again', [{ itemCode: item, quantity: 60 }], incidentId);
  const donations = (await call(h.nc, supplies.summary, { incidentId })).donationRequests!.filter((d) => d.reservationId === again.reservationId);
  expect(donations).toHaveLength(1);
  expect(donations[0]).toMatchObject({ enterpriseId: `ent-${s}`, itemCode: item, status: 'requested' });
  const received = await call(h.nc, supplies.updateDonation, { idempotencyKey: w.key('dn-received', incidentId), donationId: donations[0]!.donationId, status: 'received', quantity: 7 });
  expect(received).toMatchObject({ status: 'received', pledged: 7, lotId: donations[0]!.donationId });
  expect(await h.db.collection('lots').findOne({ _id: donations[0]!.donationId as never })).toMatchObject({ quantity: 7, source: 'enterprise-donation', depotId: w.ids.communityDepot });
  await expect(call(h.nc, supplies.updateDonation, { idempotencyKey: w.key('dn-decline', incidentId), donationId: donations[0]!.donationId, status: 'declined' })).rejects.toMatchObject({ code: 'invalid_state' });
});

it('opens sites for the places a plan step asks, reports occupancy, closes them; repeats return the first answer', async () => {
  const community = `c-sites-${h.run}`;
  await call(h.nc, supplies.seed, {
    depots: [],
    items: [],
    lots: [],
    sites: [
      { id: `park-${h.run}`, name: label, kind: 'park', communityId: community, capacity: 300 },
      { id: `square-${h.run}`, name: label, kind: 'square', communityId: community, capacity: 200 },
      { id: `school-${h.run}`, name: label, kind: 'school', communityId: community, capacity: 150 },
    ],
  });
  const open = { idempotencyKey: `${incidentId}/community-${community}:open-sites`, incidentId, communityId: community, siteKinds: ['park', 'square'] as ('park' | 'square')[], capacity: 450 };
  const opened = await call(h.nc, supplies.openSite, open);
  expect(opened).toMatchObject({ requested: 450, capacity: 500, shortfall: 0 });
  expect(opened.sites.map((s) => s.siteId)).toEqual([`park-${h.run}`, `square-${h.run}`]);
  expect(await call(h.nc, supplies.openSite, open)).toEqual(opened);

  const occupancy = await call(h.nc, supplies.updateOccupancy, { idempotencyKey: `${incidentId}:occ-1`, incidentId, siteId: `park-${h.run}`, occupancy: 120 });
  expect(occupancy).toMatchObject({ siteId: `park-${h.run}`, occupancy: 120, status: 'open' });
  await expect(call(h.nc, supplies.updateOccupancy, { idempotencyKey: `${incidentId}:occ-2`, incidentId, siteId: `school-${h.run}`, occupancy: 5 })).rejects.toMatchObject({ code: 'not_found' });

  const http = (await (await fetch(`${httpBase}/v1/sites?incidentId=${incidentId}`)).json()) as { sites: { siteId: string; occupancy: number }[] };
  expect(http.sites.find((s) => s.siteId === `park-${h.run}`)).toMatchObject({ occupancy: 120 });

  const closed = await call(h.nc, supplies.closeSite, { idempotencyKey: `${incidentId}/community-${community}:close-sites`, incidentId, communityId: community });
  expect(closed.sites.map((s) => [s.siteId, s.status])).toEqual([
    [`park-${h.run}`, 'closed'],
    [`square-${h.run}`, 'closed'],
  ]);
  await expect(call(h.nc, supplies.updateOccupancy, { idempotencyKey: `${incidentId}:occ-3`, incidentId, siteId: `park-${h.run}`, occupancy: 1 })).rejects.toMatchObject({ code: 'invalid_state' });
});

it('inspections condemn lots, and readiness reports expiry, condemned stock, overdue inspections and targets', async () => {
  const w = await world(h, 'ready');
  const soon = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
  const kits = w.lot('kits', 8, { expiresOn: soon });
  const tents = w.lot('tents', 5);
  await w.seedLots([kits, tents]);
  await call(h.nc, supplies.seed, { depots: [], items: [], lots: [], targets: [{ communityId: w.ids.community, itemCode: w.items[0]!, quantity: 20 }] });

  const today = new Date().toISOString().slice(0, 10);
  const inspection = { idempotencyKey: w.key('inspect-1', incidentId), depotId: w.ids.communityDepot, inspectedOn: today, inspectorId: `insp-${h.run}`, findings: [{ lotId: tents.id, condition: 'condemned' as const, note: 'mould' }] };
  expect(await call(h.nc, supplies.inspect, inspection)).toMatchObject({ changedLots: [tents.id] });
  await expect(call(h.nc, supplies.inspect, { ...inspection, idempotencyKey: w.key('inspect-2', incidentId), findings: [{ lotId: `nope-${h.run}`, condition: 'good' }] })).rejects.toMatchObject({ code: 'invalid_request' });

  const report = await call(h.nc, supplies.readiness, { areaId: w.ids.district, expiryWithinDays: 30 });
  expect(report.expiring).toEqual([{ lotId: kits.id, depotId: w.ids.communityDepot, itemCode: w.items[0], quantity: 8, expiresOn: soon, daysLeft: 10 }]);
  expect(report.condemned.map((l) => l.lotId)).toEqual([tents.id]);
  expect(report.overdueInspections.map((d) => d.depotId)).toEqual([w.ids.districtDepot]);
  expect(report.belowTarget).toEqual([{ communityId: w.ids.community, itemCode: w.items[0], target: 20, usable: 8, missing: 12 }]);
  const atLevelI = (await (await fetch(`${httpBase}/v1/readiness?areaId=${w.ids.community}&severity=I`)).json()) as { belowTarget: { target: number }[] };
  expect(atLevelI.belowTarget[0]).toMatchObject({ target: 40 });
  const bad = await fetch(`${httpBase}/v1/readiness?areaId=NOT%20A%20SLUG`);
  expect(bad.status).toBe(400);
  expect(await bad.json()).toMatchObject({ error: { code: 'invalid_request' } });

  // A condemned lot is never reserved.
  const r = await w.reserve('after-inspection', [{ itemCode: w.items[0]!, quantity: 12 }], incidentId);
  expect(r.lines[0]!.lots).toEqual([{ lotId: kits.id, quantity: 8 }]);
  const stock = (await (await fetch(`${httpBase}/v1/stock?areaId=${w.ids.community}`)).json()) as { depots: { id: string; lots: { id: string; available: number }[] }[] };
  expect(stock.depots[0]!.lots.find((l) => l.id === kits.id)).toMatchObject({ available: 0 });
}, 120_000);

it('errors from the read API are structured', async () => {
  const res = await fetch(`${httpBase}/v1/reservations`);
  expect(res.status).toBe(400);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
  const unknown = (await call(h.nc, supplies.readiness, { areaId: `nowhere-${h.run}` }).catch((e: LifelineError) => e)) as LifelineError;
  expect(unknown.code).toBe('not_found');
});
