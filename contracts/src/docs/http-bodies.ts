import { z } from 'zod';
import { IncidentId, LocalizedText, Severity, Slug } from '../common';
import { AreaProgress, IncidentView, Review, TimelineEntry } from '../incident';
import { PlanDocument, PlanKind } from '../plan';

/**
 * The shapes the command-center answers with that have no contract schema of their own (they are assembled in
 * services/command-center/src/http.ts from contract types). Documentation only: the service does not parse them.
 */

export const IncidentSummary = z.object({
  incidentId: IncidentId,
  workflowId: z.string(),
  planId: Slug,
  planVersion: z.number().int(),
  severity: Severity,
  title: z.string(),
  drill: z.boolean(),
  createdAt: z.iso.datetime(),
});
export const IncidentList = z.object({ incidents: z.array(IncidentSummary) });

export const IncidentDetail = IncidentView.extend({
  workflowId: z.string(),
  links: z.object({ temporalUi: z.string().describe('The incident workflow in the Temporal UI.') }),
});

export const IncidentReport = z.object({
  incidentId: IncidentId,
  title: z.string(),
  severity: Severity,
  timeline: z.array(TimelineEntry),
  areas: z.array(AreaProgress),
  review: Review,
});

export const PlanSummary = z.object({ id: Slug, version: z.number().int().positive(), title: LocalizedText, kind: PlanKind, hazard: z.string() });
export const PlanList = z.object({ plans: z.array(PlanSummary) });
export const PlanVersionInfo = z.object({ version: z.number().int().positive(), createdBy: z.string(), createdAt: z.iso.datetime() });
export const PlanAnswer = z.object({ plan: PlanDocument, versions: z.array(PlanVersionInfo) });
export const PlanCreated = z.object({ plan: PlanDocument });

/** A posted revision: a plan document whose id (if given) must match the URL; the server assigns the version. */
export const PlanRevision = z.object({
  ...PlanDocument.shape,
  id: Slug.optional().describe('Must equal the plan id in the URL when given.'),
  version: z.number().int().positive().optional().describe('Ignored: the server assigns the next version.'),
});
export const PlanVersionRequest = z.object({ plan: PlanRevision });

export const HealthAnswer = z.object({ status: z.enum(['ok', 'degraded']), checks: z.record(z.string(), z.boolean()) });
