export interface SiteCandidate {
  id: string;
  kind: string;
  capacity: number;
}

/**
 * Which sites to open for `places` people: sites of the asked kinds, in the order the plan lists the kinds, largest
 * first within a kind, then by id; sites already open for the incident count first. Stops once the places are
 * covered; with `places` = 0, one site of each kind asked.
 */
export function chooseSites<S extends SiteCandidate>(sites: readonly S[], kinds: readonly string[], places: number, alreadyOpen: ReadonlySet<string>): { keep: S[]; open: S[]; shortfall: number } {
  const order = (s: S) => kinds.indexOf(s.kind);
  const eligible = sites.filter((s) => kinds.includes(s.kind)).sort((a, b) => order(a) - order(b) || b.capacity - a.capacity || (a.id < b.id ? -1 : 1));
  const keep = eligible.filter((s) => alreadyOpen.has(s.id));
  const open: S[] = [];
  let covered = keep.reduce((n, s) => n + s.capacity, 0);
  if (places === 0) {
    for (const kind of kinds) {
      if (keep.some((s) => s.kind === kind)) continue;
      const first = eligible.find((s) => s.kind === kind && !alreadyOpen.has(s.id));
      if (first) open.push(first);
    }
    return { keep, open, shortfall: 0 };
  }
  for (const s of eligible) {
    if (covered >= places) break;
    if (alreadyOpen.has(s.id)) continue;
    open.push(s);
    covered += s.capacity;
  }
  return { keep, open, shortfall: Math.max(0, places - covered) };
}
