/**
 * What the workflows read from outside — operator commands (the incident's Update), task progress, deadlines and
 * gate decisions (signals) — with the names they share, for the workflow bundle: `@lifeline/contracts/inbound`.
 *
 * Built on `zod/mini`, because Temporal evaluates the bundle's modules once per workflow run (`./names` says why):
 * these schemas cost about half a millisecond there, classic zod with the whole contracts about 30 ms. Everyone
 * else imports the same schemas from `@lifeline/contracts`. They are lenient (unknown fields dropped): a handler
 * parses again on replay, so refusing fields here would change what recorded histories accepted. Callers refuse
 * unknown fields before a message reaches a workflow (`IncidentCommandRequest` for the commands route).
 */
import * as z from 'zod/mini';
import { PHASES, SEVERITIES, SLUG } from './names';

export * from './names';

const Slug = z.string().check(z.regex(SLUG.pattern, SLUG.hint));
const Phase = z.enum(PHASES);
const Severity = z.enum(SEVERITIES);
const reason = z.string().check(z.minLength(1), z.maxLength(500));

/** The operator commands as the incident workflow's Update validator reads them. */
export const IncidentCommand = z.discriminatedUnion('type', [
  z.object({ type: z.literal('advance'), reason }),
  z.object({ type: z.literal('stand-down'), reason }),
  z.object({ type: z.literal('escalate'), reason, severity: z.optional(Severity) }),
  z.object({ type: z.literal('deescalate'), reason, severity: z.optional(Severity) }),
  /** Resolve an open approval gate with one of its options. */
  z.object({ type: z.literal('decide'), reason, gateId: z.string().check(z.minLength(1), z.maxLength(200)), decision: Slug }),
]);
export type IncidentCommand = z.infer<typeof IncidentCommand>;

/** Task progress a bridge turns from personnel events into signals on the community workflow. */
export const TaskSignal = z.object({ taskId: z.string(), status: z.enum(['acknowledged', 'done']), ownerId: Slug, hours: z.optional(z.number()) });
export type TaskSignal = z.infer<typeof TaskSignal>;

/** A community tells its incident that a step's deadline passed (the incident applies the plan's rule). */
export const DeadlineSignal = z.object({
  communityId: Slug,
  phase: Phase,
  stepId: Slug,
  rule: z.enum(['escalate-severity', 'ask-commander']),
  detail: z.string().check(z.maxLength(500)),
});
export type DeadlineSignal = z.infer<typeof DeadlineSignal>;

/** The incident hands a commander's decision down to a waiting community. */
export const GateDecisionSignal = z.object({ gateId: z.string(), decision: Slug });
export type GateDecisionSignal = z.infer<typeof GateDecisionSignal>;

const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));
const slugs = (max: number) => z.optional(z.array(Slug).check(z.minLength(1), z.maxLength(max)));
const factor = z.number().check(z.positive());
/** A phase's steps; a phase left out is empty, as in `PlanDocument`. */
const steps = z._default(z.array(z.looseObject({ id: Slug, kind: z.string() })).check(z.maxLength(50)), []);

/**
 * The incident workflow's start, as the workflow checks it: the envelope exactly as `IncidentInput` states it, the
 * plan down to its phases and step ids. The command-center built the input with the full contract (`IncidentInput`,
 * the plan already checked when its version was posted), so the workflow does not evaluate the plan schemas again:
 * in a workflow run they cost about half a second of module evaluation on a busy 2-core worker (two sets of classic
 * schemas, read and posted), paid by every incident start. The plan's fields pass through unchanged; a unit test
 * checks that on every bundled plan and every recorded history this answers exactly what `IncidentInput` answers.
 */
export const IncidentStart = z.object({
  incidentId: Slug,
  title: text(200),
  severity: Severity,
  drill: z.boolean(),
  area: z
    .strictObject({ communityIds: slugs(5000), districtIds: slugs(100), cityWide: z.optional(z.boolean()) })
    .check(z.refine((a) => a.communityIds !== undefined || a.districtIds !== undefined || a.cityWide === true, 'name communityIds, districtIds or cityWide: true')),
  plan: z.looseObject({
    id: Slug,
    version: z.number().check(z.int(), z.positive()),
    severityScaling: z.looseObject({ I: factor, II: factor, III: factor, IV: factor }),
    phases: z.looseObject({ warn: steps, mobilize: steps, respond: steps, recover: steps, review: steps }),
  }),
  requestedBy: text(100),
});
