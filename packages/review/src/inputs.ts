import type { CommunityFigures, IncidentView, PlanDocument, Severity } from '@lifeline/contracts';
import type { Execution } from './history';

/** Limits a finding is measured against; every one is documented in the README. */
export interface Thresholds {
  /** Residents per responder task in a community above which the span of control is too wide. */
  maxResidentsPerResponder: number;
  /** Seconds from activation to the first warning under way. */
  maxSecondsToWarn: number;
  /** Seconds from assignment to acknowledgement above which an acknowledgement counts as slow. */
  maxAckSeconds: number;
  /** A dispatch step's acknowledgement deadline above which a fallback is proposed to come sooner. */
  maxAckDeadlineSeconds: number;
  /** Head-room a raised stock target keeps above what the incident needed (1.25 = 25 %). */
  stockTargetMargin: number;
  /** Volunteer participants per 1000 residents that count as full self-organisation. */
  participantsPerThousandForFullScore: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  maxResidentsPerResponder: 400,
  maxSecondsToWarn: 300,
  maxAckSeconds: 300,
  maxAckDeadlineSeconds: 300,
  stockTargetMargin: 1.25,
  participantsPerThousandForFullScore: 5,
};

/** Reserved / issued / returned / short units of one item. */
export interface ItemFigures {
  reserved?: number;
  issued?: number;
  returned?: number;
  shortfall?: number;
}

/** Figures the services' summaries add beyond what the workflow saw; every part optional (sources may be absent). */
export interface ServiceFigures {
  supplies?: {
    reserved?: number;
    issued?: number;
    returned?: number;
    shortfall?: number;
    byItem?: Record<string, ItemFigures>;
    shortfalls?: { communityId: string; itemCode: string; missing: number }[];
    staleStock?: { itemCode: string; depotId?: string; lotId?: string; quantity: number; reason: string }[];
  };
  personnel?: {
    nonAcknowledging?: { personId: string; role?: string; communityId?: string }[];
    hours?: number;
  };
  notification?: {
    failed?: number;
    timeToReach?: { p50?: number; p90?: number; p100?: number };
    byChannel?: Record<string, { sent: number; failed?: number }>;
    replies?: number;
    cases?: { opened: number; closed: number; medianSecondsToClose?: number };
    doorKnocks?: number;
  };
  incentives?: {
    awards?: number;
    points?: number;
    participants?: number;
    hours?: number;
    pointsByType?: Record<string, number>;
    top?: { participantId: string; points: number; hours?: number }[];
  };
  honourCandidates?: { participantId: string; honour?: string; points?: number; reason?: string }[];
  readiness?: { grids: { gridId: string; communityId?: string; span: number; tooWide: boolean }[] };
}

/** Everything the report is computed from. */
export interface ReportInputs {
  incidentId: string;
  title: string;
  drill: boolean;
  initialSeverity: Severity;
  /** The plan version the incident pinned (from its start input). */
  plan: PlanDocument;
  /** The incident run and every district/community run of it. */
  executions: Execution[];
  /** The incident's final view (the incident run's result), when it closed. */
  view: IncidentView;
  services: ServiceFigures;
  sources: Record<string, { ok: boolean; note?: string }>;
  generatedAt: string;
  thresholds?: Partial<Thresholds>;
}

export type { CommunityFigures };
