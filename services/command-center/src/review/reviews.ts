import type { Model } from 'mongoose';
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import {
  AfterActionReport,
  IncidentInput,
  IncidentView,
  LifelineError,
  supplies,
  type AcceptProposalsRequest,
  type AcceptProposalsResult,
} from '@lifeline/contracts';
import { call, isDuplicateKey, type NatsConnection } from '@lifeline/platform';
import { applyProposals, buildReport, stockTargetsOf, type Execution } from '@lifeline/review';
import type { Incidents } from '../incidents';
import type { Plans } from '../plans';
import { readIncidentHistories } from './histories';
import { readServiceFigures } from './service-figures';
import type { StoredAcceptance, StoredReport } from './store';

/** What producing and accepting reports needs; the Temporal client and NATS connection are opened lazily. */
export interface ReviewDeps {
  incidents: Incidents;
  plans: Plans;
  reports: Model<StoredReport>;
  acceptances: Model<StoredAcceptance>;
  temporal: () => Promise<Client>;
  /** Decrypts the payloads the workers encrypted (history is read raw). */
  codec?: PayloadCodec;
  nats: () => Promise<NatsConnection>;
}

/** Produces an incident's after-action report once, stores it, and turns accepted proposals into a plan version. */
export class Reviews {
  constructor(private readonly deps: ReviewDeps) {}

  /** The stored report, or produce it now (first writer wins, so concurrent readers all get the same report). */
  async report(incidentId: string): Promise<AfterActionReport> {
    const stored = await this.deps.reports.findById(incidentId).lean();
    if (stored) return stored.report;
    const record = await this.deps.incidents.record(incidentId);
    const view = await this.deps.incidents.view(incidentId);
    if (view.phase !== 'closed') throw new LifelineError('invalid_state', `incident ${incidentId} has not been reviewed yet (phase ${view.phase})`, { phase: view.phase });
    const executions = await readIncidentHistories(await this.deps.temporal(), record.workflowId, this.deps.codec);
    const report = await this.produce(incidentId, executions, view);
    try {
      await this.deps.reports.create({ _id: incidentId, report, createdAt: new Date() });
      return report;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const first = await this.deps.reports.findById(incidentId).lean();
      if (!first) throw err;
      return first.report;
    }
  }

  private async produce(incidentId: string, executions: Execution[], queried: IncidentView): Promise<AfterActionReport> {
    const incidentRun = executions.find((e) => !e.workflowId.includes('/'));
    const started = incidentRun?.events.find((e) => e.type === 'started');
    const input = IncidentInput.safeParse(started?.type === 'started' ? (started.input as unknown[] | undefined)?.[0] ?? started.input : undefined);
    if (!input.success) throw new LifelineError('internal', `the incident's start input could not be read from its history`);
    const completed = incidentRun?.events.find((e) => e.type === 'completed');
    const finalView = IncidentView.safeParse(completed?.type === 'completed' ? completed.result : undefined);
    const view = finalView.success ? finalView.data : queried;
    const sources: Record<string, { ok: boolean; note?: string }> = {
      workflowHistory: { ok: Boolean(incidentRun), note: `${executions.length} run(s)` },
    };
    const services = await readServiceFigures(await this.deps.nats(), incidentId, view.areas.map((a) => a.communityId), sources);
    const report = buildReport({
      incidentId,
      title: input.data.title,
      drill: input.data.drill,
      initialSeverity: input.data.severity,
      plan: input.data.plan,
      executions,
      view,
      services,
      sources,
      generatedAt: new Date().toISOString(),
    });
    return AfterActionReport.parse(report);
  }

  /**
   * Apply the chosen proposals to the plan version the incident pinned and store the result as the plan's next
   * version. The same set accepted twice returns the first result; the claim (`_id`) is inserted first, so two
   * racing accepts cannot both write a version.
   */
  async accept(incidentId: string, body: AcceptProposalsRequest, acceptedBy: string): Promise<AcceptProposalsResult> {
    const report = await this.report(incidentId);
    const chosen = body.all ? report.proposals : report.proposals.filter((p) => body.proposalIds!.includes(p.id));
    const unknown = body.all ? [] : body.proposalIds!.filter((id) => !report.proposals.some((p) => p.id === id));
    if (unknown.length) throw new LifelineError('invalid_request', 'unknown proposal id(s)', { unknown, proposals: report.proposals.map((p) => p.id) });
    if (chosen.length === 0) throw new LifelineError('invalid_state', 'the report has no proposals to accept');
    const ids = chosen.map((p) => p.id).sort();
    const key = `${incidentId}:${ids.join(',')}`;

    const existing = await this.deps.acceptances.findById(key).lean();
    if (existing?.result) return existing.result;
    if (!existing) {
      try {
        await this.deps.acceptances.create({ _id: key, incidentId, proposalIds: ids, claimedAt: new Date() });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const raced = await this.deps.acceptances.findById(key).lean();
        if (raced?.result) return raced.result;
        throw new LifelineError('conflict', 'the same proposals are being accepted right now; retry');
      }
    }
    const marker = `[review ${key}]`;
    // A crash after the version was written but before the result was stored: find that version instead of writing another.
    const written = (await this.deps.plans.versions(report.planId)).find((v) => v.createdBy.endsWith(marker));
    let version = written?.version;
    if (version === undefined) {
      const latest = await this.deps.plans.latest(report.planId);
      // The patches' paths point into the pinned version; a plan that moved on since needs a fresh review.
      if (latest.version !== report.planVersion) {
        throw new LifelineError('conflict', `plan ${report.planId} is at version ${latest.version} now; this report proposes changes to version ${report.planVersion}`, { latest: latest.version, pinned: report.planVersion });
      }
      version = (await this.deps.plans.addVersion(report.planId, applyProposals(latest, chosen), `${acceptedBy} ${marker}`)).version;
    }
    const stockTargets = stockTargetsOf(chosen);
    const result: AcceptProposalsResult = {
      incidentId,
      planId: report.planId,
      fromVersion: report.planVersion,
      version,
      accepted: ids,
      acceptedBy,
      acceptedAt: new Date().toISOString(),
      ...(stockTargets.length ? { stockTargets, stockTargetsPublished: await this.publishTargets(stockTargets) } : {}),
    };
    await this.deps.acceptances.updateOne({ _id: key }, { $set: { result } });
    return result;
  }

  /** Raised stock targets go to the supplies service (upsert by community and item), whose readiness then flags stock below them. */
  private async publishTargets(targets: { communityId: string; itemCode: string; quantity: number }[]): Promise<boolean> {
    try {
      await call(await this.deps.nats(), supplies.seed, { depots: [], items: [], lots: [], targets });
      return true;
    } catch {
      return false;
    }
  }
}
