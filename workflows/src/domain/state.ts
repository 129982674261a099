import type { CommunityFigures, Phase, PlanDocument, PlanStep, Severity } from '@lifeline/contracts';
import type { personnelContract } from '@lifeline/contracts';

/** A reservation made in mobilize and carried through issue (respond) and return (recover). */
export interface ReservationRecord {
  /** The `reserve` step that made it; also the stable part of later idempotency keys. */
  stepId: string;
  reservationId: string;
  status: 'reserved' | 'issued' | 'returned' | 'released';
  /** Units actually reserved across all lines. */
  units: number;
}

/** Sites an `open-site` step opened in the community (supplies service ids), closed when recover ends or on stand-down. */
export interface SiteRecord {
  stepId: string;
  siteIds: string[];
  /** Places the opened sites hold, and places asked for but not found. */
  capacity: number;
  shortfall: number;
  status: 'open' | 'closed';
}

/** A dispatched task as the community workflow knows it (ids only, never names or phones). */
export interface TaskRecord {
  stepId: string;
  taskId: string;
  role: personnelContract.PersonType;
  ownerId?: string | undefined;
  status: 'assigned' | 'acknowledged' | 'done' | 'missed' | 'incomplete' | 'stood-down';
  hours?: number | undefined;
  awarded: boolean;
}

/** Something a reviewer should know about a community: a step not executed, a missed deadline, a service refusal. */
export interface CommunityNote {
  phase: Phase | 'stand-down';
  stepId: string;
  note: string;
}

/** What survives between phases for one community: returned by each phase's child and handed to the next. */
export interface CommunityState {
  districtId: string;
  communityId: string;
  population: number;
  lastPhase?: Phase | undefined;
  reservations: ReservationRecord[];
  tasks: TaskRecord[];
  /** Absent in states recorded before sites were opened (patch `open-site`). */
  sites?: SiteRecord[] | undefined;
  figures: CommunityFigures;
  notes: CommunityNote[];
}

/** What every child needs to know about the incident it works for. */
export interface PhaseContext {
  incidentId: string;
  planId: string;
  planVersion: number;
  /** The phase the steps belong to; compensations run under the phase in which the stand-down arrived. */
  phase: Phase;
  severity: Severity;
  drill: boolean;
  severityScaling: PlanDocument['severityScaling'];
  /** `steps`: run the plan's community steps; `stand-down`: run the compensations instead. */
  mode: 'steps' | 'stand-down';
}

export interface CommunityPhaseInput {
  context: PhaseContext;
  steps: PlanStep[];
  state: CommunityState;
}

export interface DistrictPhaseInput {
  context: PhaseContext;
  districtId: string;
  steps: PlanStep[];
  communities: CommunityState[];
}

export const emptyFigures = (): CommunityFigures => ({
  notification: { jobs: 0, total: 0, sent: 0 },
  supplies: { reserved: 0, issued: 0, returned: 0, shortfall: 0 },
  personnel: { tasks: 0, acknowledged: 0, done: 0, fallbacks: 0, missed: 0 },
  incentives: { awards: 0, points: 0 },
});

export function newCommunityState(districtId: string, communityId: string, population: number): CommunityState {
  return { districtId, communityId, population, reservations: [], tasks: [], figures: emptyFigures(), notes: [] };
}
