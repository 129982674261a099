import type { personnelContract, notificationContract, suppliesContract } from '@lifeline/contracts';
import { SUPPLY_ITEMS } from '@lifeline/contracts/plan-rules';
import { partyOverlay } from './party';
import { pad, pick, seededRandom } from './random';

type OrgUnit = personnelContract.OrgUnit;
type Person = personnelContract.PersonRecord;
type Resident = notificationContract.ResidentRecord;
type Depot = suppliesContract.Depot;
type Item = suppliesContract.Item;
type Lot = suppliesContract.Lot;

export interface CityShape {
  communities: number;
  residents: number;
  seed: number;
  /** Date the stock's expiry dates are measured from (YYYY-MM-DD). */
  today: string;
}

export interface SyntheticCity {
  units: OrgUnit[];
  people: Person[];
  residents: Resident[];
  depots: Depot[];
  items: Item[];
  lots: Lot[];
  /** The Party overlay (committee → grid branch → courtyard group) of every community. */
  partyUnits?: personnelContract.PartyUnit[];
}

const COMMUNITIES_PER_DISTRICT = 8;
const COMMUNITIES_PER_SUB_DISTRICT = 4;
const GRIDS_PER_COMMUNITY = 4;
const BUILDINGS_PER_GRID = 3;

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '周', '吴', '徐', '孙', '马', '朱', '胡', '郭'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英', '建华', '国强'];

/** The supplies catalogue plans are validated against (contracts' plan vocabulary). */
export const ITEMS: Item[] = SUPPLY_ITEMS;

function addDays(today: string, days: number): string {
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** A phone number that looks real but is generated (never a real resident's). */
const phoneOf = (rand: () => number) => `13${pad(Math.floor(rand() * 1e9), 9)}`;
const nameOf = (rand: () => number) => pick(rand, SURNAMES) + pick(rand, GIVEN);

/**
 * Build a deterministic synthetic city: districts → sub-districts → communities → grids → buildings,
 * residents (some vulnerable), responders per the "1 + 1 + x" grid overlay, depots with lots.
 */
export function buildCity(shape: CityShape): SyntheticCity {
  const rand = seededRandom(shape.seed);
  const city: SyntheticCity = { units: [], people: [], residents: [], depots: [], items: ITEMS, lots: [], partyUnits: [] };
  const districts = Math.max(1, Math.ceil(shape.communities / COMMUNITIES_PER_DISTRICT));
  city.depots.push({ id: 'depot-city', name: { zh: '市级应急物资储备库', en: 'City emergency reserve' }, level: 'city', areaId: 'city' });
  addLots(city, 'depot-city', 400, shape.today, rand);

  let communityNo = 0;
  let residentNo = 0;
  for (let d = 1; d <= districts; d++) {
    const districtId = `d${pad(d, 2)}`;
    city.units.push({ id: districtId, level: 'district', name: { zh: `第${d}区`, en: `District ${d}` } });
    city.depots.push({ id: `depot-${districtId}`, name: { zh: `第${d}区物资库`, en: `District ${d} depot` }, level: 'district', areaId: districtId, parentId: 'depot-city' });
    addLots(city, `depot-${districtId}`, 60, shape.today, rand);
    const inDistrict = Math.min(COMMUNITIES_PER_DISTRICT, shape.communities - communityNo);
    for (let c = 0; c < inDistrict; c++) {
      communityNo++;
      const subId = `${districtId}s${Math.floor(c / COMMUNITIES_PER_SUB_DISTRICT) + 1}`;
      if (c % COMMUNITIES_PER_SUB_DISTRICT === 0) {
        city.units.push({ id: subId, level: 'sub-district', parentId: districtId, name: { zh: `街道${subId}`, en: `Sub-district ${subId}` } });
      }
      const communityId = `c${pad(communityNo, 4)}`;
      const residents = Math.floor(shape.residents / shape.communities) + (communityNo <= shape.residents % shape.communities ? 1 : 0);
      city.units.push({ id: communityId, level: 'community', parentId: subId, population: residents, name: { zh: `社区${communityNo}`, en: `Community ${communityNo}` } });
      city.depots.push({ id: `depot-${communityId}`, name: { zh: `社区${communityNo}储备点`, en: `Community ${communityNo} stockpile` }, level: 'community', areaId: communityId, parentId: `depot-${districtId}` });
      addLots(city, `depot-${communityId}`, 8, shape.today, rand);
      addCommunity(city, communityId, residents, () => ++residentNo, rand);
      city.partyUnits!.push(...partyOverlay(communityId, city.units, city.people));
    }
  }
  return city;
}

function addCommunity(city: SyntheticCity, communityId: string, residents: number, nextResident: () => number, rand: () => number): void {
  const person = (id: string, type: Person['type'], gridId?: string, skills: string[] = []) =>
    city.people.push({ id, type, communityId, gridId, skills, name: nameOf(rand), phone: phoneOf(rand) });
  person(`${communityId}-staff-1`, 'community-staff', undefined, ['coordination']);
  person(`${communityId}-health-1`, 'health-centre-staff', undefined, ['first-aid']);
  for (let g = 1; g <= GRIDS_PER_COMMUNITY; g++) {
    const gridId = `${communityId}-g${g}`;
    city.units.push({ id: gridId, level: 'grid', parentId: communityId, name: { zh: `第${g}网格`, en: `Grid ${g}` } });
    person(`${gridId}-worker`, 'grid-worker', gridId, ['door-knock']);
    person(`${gridId}-party-1`, 'party-member', gridId);
    person(`${gridId}-party-2`, 'party-member', gridId);
    for (let v = 1; v <= 3; v++) person(`${gridId}-vol-${v}`, 'volunteer', gridId, v === 1 ? ['first-aid'] : []);
    for (let b = 1; b <= BUILDINGS_PER_GRID; b++) {
      city.units.push({ id: `${gridId}-b${b}`, level: 'building', parentId: gridId, name: { zh: `${b}号楼`, en: `Building ${b}` } });
      person(`${gridId}-b${b}-leader`, 'building-leader', gridId);
    }
  }
  for (let r = 0; r < residents; r++) {
    const g = (r % GRIDS_PER_COMMUNITY) + 1;
    const b = (Math.floor(r / GRIDS_PER_COMMUNITY) % BUILDINGS_PER_GRID) + 1;
    const roll = rand();
    const vulnerabilities: Resident['vulnerabilities'] = roll < 0.08 ? ['elderly-alone'] : roll < 0.11 ? ['disabled'] : roll < 0.2 ? ['child'] : [];
    city.residents.push({
      id: `r${pad(nextResident(), 7)}`,
      communityId,
      gridId: `${communityId}-g${g}`,
      buildingId: `${communityId}-g${g}-b${b}`,
      name: nameOf(rand),
      phone: phoneOf(rand),
      address: `${communityId} ${g}网格 ${b}号楼 ${100 + Math.floor(rand() * 20) * 100 + Math.floor(rand() * 8) + 1}室`,
      language: rand() < 0.95 ? 'zh' : 'en',
      vulnerabilities,
    });
  }
}

/** Lots of every item; some lots are old (expired) or condemned, as the research found in real stockpiles. */
function addLots(city: SyntheticCity, depotId: string, base: number, today: string, rand: () => number): void {
  for (const item of ITEMS) {
    const perishable = item.category === 'medical' || item.category === 'food-water';
    city.lots.push({ id: `${depotId}-${item.code}-1`, depotId, itemCode: item.code, quantity: base + Math.floor(rand() * base), source: 'government', condition: 'good', ...(perishable ? { expiresOn: addDays(today, 30 + Math.floor(rand() * 300)) } : {}) });
    city.lots.push({ id: `${depotId}-${item.code}-2`, depotId, itemCode: item.code, quantity: Math.ceil(base / 2), source: 'community-fund', condition: 'good', ...(perishable ? { expiresOn: addDays(today, 400) } : {}) });
    if (perishable) city.lots.push({ id: `${depotId}-${item.code}-old`, depotId, itemCode: item.code, quantity: Math.ceil(base / 4), source: 'government', condition: 'good', expiresOn: addDays(today, -20) });
  }
}
