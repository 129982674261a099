import type { Area, personnelContract } from '@lifeline/contracts';

/** The part of an org unit the area walk needs. */
export interface AreaUnit {
  id: string;
  level: 'district' | 'sub-district' | 'community' | 'grid' | 'building';
  parentId?: string | undefined;
  population: number;
}

export type AreaResolution = { ok: true; resolved: personnelContract.ResolvedArea } | { ok: false; unknownCommunityIds: string[]; unknownDistrictIds: string[] };

/** The nearest ancestor (or the unit itself) at `level`, walking `parentId` upwards; undefined for orphans and cycles. */
export function ancestorAt(unitId: string, units: ReadonlyMap<string, AreaUnit>, level: AreaUnit['level']): string | undefined {
  const seen = new Set<string>();
  let unit = units.get(unitId);
  while (unit && !seen.has(unit.id)) {
    if (unit.level === level) return unit.id;
    seen.add(unit.id);
    unit = unit.parentId === undefined ? undefined : units.get(unit.parentId);
  }
  return undefined;
}

/** The district a unit belongs to, walking `parentId` upwards; undefined for orphans and cycles. */
export const districtOf = (unitId: string, units: ReadonlyMap<string, AreaUnit>): string | undefined => ancestorAt(unitId, units, 'district');

/**
 * Expand an incident area into districts and their communities with populations.
 * Community ids are grouped under their district; district ids bring all their communities; `cityWide`
 * brings every district (even one without communities) and every community. Ids that are not a
 * community (or district) under a district are reported back as unknown. Output is sorted by id.
 */
export function resolveArea(area: Area, unitList: readonly AreaUnit[]): AreaResolution {
  const units = new Map(unitList.map((u) => [u.id, u]));
  const communities = unitList.filter((u) => u.level === 'community');
  type Entry = { communityId: string; population: number; subDistrictId?: string };
  const chosen = new Map<string, Map<string, Entry>>();
  const add = (districtId: string, community?: AreaUnit) => {
    const inDistrict = chosen.get(districtId) ?? new Map<string, Entry>();
    chosen.set(districtId, inDistrict);
    if (!community) return;
    const subDistrictId = ancestorAt(community.id, units, 'sub-district');
    inDistrict.set(community.id, { communityId: community.id, population: community.population, ...(subDistrictId ? { subDistrictId } : {}) });
  };

  const unknownCommunityIds: string[] = [];
  for (const id of new Set(area.communityIds ?? [])) {
    const unit = units.get(id);
    const districtId = unit?.level === 'community' ? districtOf(id, units) : undefined;
    if (unit && districtId) add(districtId, unit);
    else unknownCommunityIds.push(id);
  }

  const unknownDistrictIds: string[] = [];
  const districtIds = area.cityWide ? unitList.filter((u) => u.level === 'district').map((u) => u.id) : [...new Set(area.districtIds ?? [])];
  const wanted = new Set<string>();
  for (const id of districtIds) {
    if (units.get(id)?.level === 'district') {
      wanted.add(id);
      add(id);
    } else unknownDistrictIds.push(id);
  }
  if (wanted.size > 0) {
    for (const community of communities) {
      const districtId = districtOf(community.id, units);
      if (districtId && wanted.has(districtId)) add(districtId, community);
    }
  }

  if (unknownCommunityIds.length > 0 || unknownDistrictIds.length > 0) return { ok: false, unknownCommunityIds, unknownDistrictIds };
  const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const districts = [...chosen.keys()].sort(byId).map((districtId) => ({
    districtId,
    communities: [...chosen.get(districtId)!.entries()].sort(([a], [b]) => byId(a, b)).map(([, entry]) => entry),
  }));
  return { ok: true, resolved: { districts } };
}
