import type { incentivesContract } from '@lifeline/contracts';
import type { RuleTable } from './rules';

type HonourCandidate = incentivesContract.HonourCandidate;
type HonourKind = incentivesContract.HonourKind;

/** One participant's work in an incident, from verified completions and the ledger. */
export interface ParticipantWork {
  participantId: string;
  participantType: string;
  hours: number;
  tasks: number;
  points: number;
}

export interface Donation {
  donorId: string;
  donorType: 'enterprise' | 'social-organisation' | 'resident';
  units: number;
}

export interface Household {
  householdId: string;
  memberIds: string[];
}

export interface CandidateInput {
  work: readonly ParticipantWork[];
  donations: readonly Donation[];
  households: readonly Household[];
  limit: number;
}

/** Residents (not on-duty professionals, enterprises or organisations) can be model individuals. */
const RESIDENT_TYPES = new Set(['resident-volunteer', 'resident-party-member', 'dual-registered-member']);

const empty = { hours: 0, tasks: 0, points: 0, donatedUnits: 0, members: 0 };
const round2 = (n: number) => Math.round(n * 100) / 100;

function best(kind: HonourKind, rows: HonourCandidate[], rules: RuleTable, limit: number): HonourCandidate[] {
  const min = rules.honours?.[kind]?.minScore ?? Infinity;
  return rows
    .filter((c) => c.score >= min)
    .sort((a, b) => b.score - a.score || b.figures.tasks - a.figures.tasks || a.participantId.localeCompare(b.participantId))
    .slice(0, limit)
    .map((c) => ({ ...c, kind }));
}

function donorsOf(type: Donation['donorType'], donations: readonly Donation[]): Map<string, number> {
  const units = new Map<string, number>();
  for (const d of donations) if (d.donorType === type) units.set(d.donorId, (units.get(d.donorId) ?? 0) + d.units);
  return units;
}

/**
 * Honour candidates from an incident's figures, per honour kind, best first, at most `limit` each, and only
 * those whose score reaches the rule's minimum: model individuals by hours worked (residents only); model
 * families by the hours of a household's members; caring enterprises by units donated; advanced social
 * organisations by units donated plus ten per hour their members worked for them.
 */
export function honourCandidates(rules: RuleTable, input: CandidateInput): HonourCandidate[] {
  const byId = new Map(input.work.map((w) => [w.participantId, w]));
  const individuals = input.work
    .filter((w) => RESIDENT_TYPES.has(w.participantType))
    .map((w): HonourCandidate => ({
      kind: 'model-individual',
      participantId: w.participantId,
      score: round2(w.hours),
      figures: { ...empty, hours: round2(w.hours), tasks: w.tasks, points: w.points, members: 1 },
      reason: `${round2(w.hours)} h over ${w.tasks} verified task(s)`,
    }));

  const families = input.households.flatMap((h): HonourCandidate[] => {
    const members = h.memberIds.map((id) => byId.get(id)).filter((w): w is ParticipantWork => w !== undefined && w.tasks > 0);
    if (members.length < 2) return [];
    const hours = round2(members.reduce((n, w) => n + w.hours, 0));
    const tasks = members.reduce((n, w) => n + w.tasks, 0);
    const points = members.reduce((n, w) => n + w.points, 0);
    return [{ kind: 'model-family', participantId: h.householdId, score: hours, figures: { ...empty, hours, tasks, points, members: members.length }, reason: `${members.length} members worked ${hours} h` }];
  });

  const donorRows = (kind: HonourKind, type: Donation['donorType'], workWeight: number): HonourCandidate[] => {
    const units = donorsOf(type, input.donations);
    for (const w of input.work) if (w.participantType === type && !units.has(w.participantId)) units.set(w.participantId, 0);
    return [...units].map(([participantId, donatedUnits]) => {
      const w = byId.get(participantId);
      const hours = round2(w?.hours ?? 0);
      return {
        kind,
        participantId,
        score: donatedUnits + workWeight * hours,
        figures: { ...empty, hours, tasks: w?.tasks ?? 0, points: w?.points ?? 0, donatedUnits },
        reason: `${donatedUnits} unit(s) donated${hours ? `, ${hours} h worked` : ''}`,
      };
    });
  };

  return [
    ...best('model-individual', individuals, rules, input.limit),
    ...best('model-family', families, rules, input.limit),
    ...best('caring-enterprise', donorRows('caring-enterprise', 'enterprise', 0), rules, input.limit),
    ...best('advanced-social-organisation', donorRows('advanced-social-organisation', 'social-organisation', 10), rules, input.limit),
  ];
}
