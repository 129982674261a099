import { z } from 'zod';
import { PHASES, SEVERITIES, SLUG } from './names';
import { atLeastOne } from './rules';

/** China's four emergency levels: I 特别重大 (red) … IV 一般 (blue). */
export const Severity = z.enum(SEVERITIES);
export type Severity = z.infer<typeof Severity>;

/** The five phases every incident walks through, in order, then `closed`. */
export { PHASES };
export const Phase = z.enum(PHASES);
export type Phase = z.infer<typeof Phase>;
export const IncidentPhase = z.enum([...PHASES, 'closed']);
export type IncidentPhase = z.infer<typeof IncidentPhase>;

export const IncidentStatus = z.enum(['running', 'completed', 'cancelled', 'failed']);
export type IncidentStatus = z.infer<typeof IncidentStatus>;

/** Identifiers are lowercase slugs so they can sit inside NATS subjects and Temporal workflow ids. */
export const Slug = z.string().regex(SLUG.pattern, SLUG.hint);
export const IncidentId = Slug;
export const CommunityId = Slug;
export const DistrictId = Slug;

/**
 * Every state-changing command carries a key derived from workflow id + step id
 * (never an attempt number); a repeated command returns the first result.
 */
export const IdempotencyKey = z.string().min(8).max(200).regex(/^[A-Za-z0-9:/._-]+$/, 'letters, digits and : / . _ -');

/** Resident-facing and operator text in both languages the product speaks. */
export const LocalizedText = z.strictObject({ zh: z.string().min(1).max(2000), en: z.string().min(1).max(2000) });
export type LocalizedText = z.infer<typeof LocalizedText>;

export const Area = atLeastOne(
  z.strictObject({
    communityIds: z.array(CommunityId).min(1).max(5000).optional(),
    districtIds: z.array(DistrictId).min(1).max(100).optional(),
    cityWide: z.boolean().optional(),
  }),
  [['communityIds'], ['districtIds'], ['cityWide']],
  { message: 'name communityIds, districtIds or cityWide: true' },
);
export type Area = z.infer<typeof Area>;

/** How strongly a severity scales quantities and audiences. */
export const SEVERITY_FACTOR: Record<Severity, number> = { I: 2, II: 1.5, III: 1.2, IV: 1 };
