/**
 * An incident's state as its workflow holds it: the view the `status` query answers, every community's state, the
 * gates and what waits on them, and the operator's moves. Workflow-safe; changed only by the incident's modules.
 */
import { upsertSearchAttributes } from '@temporalio/workflow';
import type { Gate, IncidentInput, IncidentView, Phase, Severity } from '@lifeline/contracts';
import { searchAttributes } from '../messages';
import type { CommunityState, PhaseContext } from '../domain/state';

export class Incident {
  readonly view: IncidentView;
  /** Every community's state, in area order; the source of `view.areas` and of the review. */
  communities: CommunityState[] = [];
  standingDown = false;
  /** Advances counted so far; an `await` ends when the count moves. */
  advances = 0;
  waiting = false;
  /** An `advance` outside a wait skips the rest of that phase's incident-level waits. */
  skipWaitsIn: Phase | undefined;
  /** Approval gates, one per step; `view.gates` shows them. */
  readonly gates: Gate[] = [];
  /** Communities waiting on each open gate. */
  readonly gateWaiters = new Map<string, string[]>();
  /** Decisions to hand down to communities (sent by `deliverDecisions`). */
  readonly outbox: { communityId: string; gateId: string; decision: string }[] = [];
  /** Steps whose deadline already raised the severity: one escalation per step, however many communities miss it. */
  readonly escalatedSteps = new Set<string>();
  /** Tasks acknowledged as the bridge reports them, for quorum waits. */
  readonly liveAcks = new Set<string>();
  readonly startedAt = new Date();
  /** Districts run warn's leading notify steps themselves (patch `district-warns`, asked once at activation). */
  districtWarns = false;
  /** Districts run every segment's leading notify and reserve steps themselves (patch `district-steps`, asked at activation). */
  districtSteps = false;
  /** Districts run award steps among them too (patch `district-awards`, asked at activation). */
  districtAwards = false;

  constructor(readonly input: IncidentInput) {
    const { plan } = input;
    this.view = {
      incidentId: input.incidentId,
      title: input.title,
      planId: plan.id,
      planVersion: plan.version,
      severity: input.severity,
      drill: input.drill,
      phase: 'warn',
      status: 'running',
      areas: [],
      timeline: [],
    };
  }

  get plan() {
    return this.input.plan;
  }

  /** The phase the incident is in while it runs phases (never `closed` there). */
  get phase(): Phase {
    return this.view.phase as Phase;
  }

  /** What the status query answers. */
  status(): IncidentView {
    return this.gates.length ? { ...this.view, gates: this.gates } : this.view;
  }

  record(what: string, detail?: string) {
    this.view.timeline.push({ at: new Date().toISOString(), what, phase: this.view.phase, ...(detail ? { detail } : {}) });
  }

  refreshAreas() {
    this.view.areas = this.communities.map((c) => ({ districtId: c.districtId, communityId: c.communityId, population: c.population, lastPhase: c.lastPhase, figures: c.figures }));
  }

  setSeverity(to: Severity) {
    this.view.severity = to;
    upsertSearchAttributes([{ key: searchAttributes.severity, value: to }]);
  }

  contextFor(phase: Phase, mode: PhaseContext['mode'] = 'steps'): PhaseContext {
    const { input, plan } = this;
    return { incidentId: input.incidentId, planId: plan.id, planVersion: plan.version, phase, severity: this.view.severity, drill: input.drill, severityScaling: plan.severityScaling, mode };
  }
}
