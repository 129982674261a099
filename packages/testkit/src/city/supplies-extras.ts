import type { suppliesContract } from '@lifeline/contracts';
import type { SyntheticCity } from './city';

type Site = suppliesContract.Site;
type StockTarget = suppliesContract.StockTarget;
type Enterprise = suppliesContract.Enterprise;

/** Units per thousand residents a community stockpile should hold at severity IV (readiness scales them up). */
const TARGETS_PER_THOUSAND: Record<string, number> = { tent: 2, quilt: 8, 'medicine-kit': 3, 'water-24': 10, umbrella: 5, generator: 0.2 };

/**
 * What the supplies service needs beyond depots and lots, derived from the city deterministically: each community's
 * shelters and gathering sites (a park, a square, its community centre), its stock targets from its population, and
 * two enterprises per district registered for donations.
 */
export function suppliesExtras(city: Pick<SyntheticCity, 'units'>): { sites: Site[]; targets: StockTarget[]; enterprises: Enterprise[] } {
  const communities = city.units.filter((u) => u.level === 'community');
  const districts = city.units.filter((u) => u.level === 'district');
  const sites = communities.flatMap((c): Site[] => {
    const people = Math.max(50, c.population ?? 0);
    return [
      { id: `${c.id}-park`, name: { zh: `${c.name.zh}公园`, en: `${c.name.en} park` }, kind: 'park', communityId: c.id, capacity: Math.ceil(people * 0.4) },
      { id: `${c.id}-square`, name: { zh: `${c.name.zh}广场`, en: `${c.name.en} square` }, kind: 'square', communityId: c.id, capacity: Math.ceil(people * 0.25) },
      { id: `${c.id}-centre`, name: { zh: `${c.name.zh}社区中心`, en: `${c.name.en} community centre` }, kind: 'community-centre', communityId: c.id, capacity: Math.ceil(people * 0.05) },
    ];
  });
  const targets = communities.flatMap((c) => Object.entries(TARGETS_PER_THOUSAND).map(([itemCode, perThousandResidents]) => ({ communityId: c.id, itemCode, perThousandResidents, population: c.population ?? 0 })));
  const enterprises = districts.flatMap((d): Enterprise[] => [
    { id: `${d.id}-supermarket`, name: { zh: `${d.name.zh}爱心超市`, en: `${d.name.en} caring supermarket` }, categories: ['food-water', 'shelter'], districtIds: [d.id] },
    { id: `${d.id}-pharmacy`, name: { zh: `${d.name.zh}连锁药房`, en: `${d.name.en} pharmacy chain` }, categories: ['medical', 'protective'], districtIds: [d.id] },
  ]);
  return { sites, targets, enterprises };
}
