import { z } from 'zod';
import { LocalizedText, PHASES, Severity, Slug } from './common';
import { PersonType } from './services/personnel';
import { AudienceGroup, Channel } from './services/notification';

export const PlanKind = z.enum(['comprehensive', 'natural-disaster', 'public-health', 'production-safety', 'food-safety']);

/** What happens when a step's deadline passes. */
export const Escalation = z.enum(['continue', 'fallback-to-backup', 'escalate-severity', 'ask-commander']);

const base = {
  id: Slug,
  title: LocalizedText,
  /** Only run at these severities (default: all). */
  severities: z.array(Severity).min(1).optional(),
};

/** `z.object` drops unknown fields, `z.strictObject` refuses them: the plan's schemas are built with one or the other. */
type ObjectKind = typeof z.object | typeof z.strictObject;

/** Every plan schema, built from objects of one kind. */
function planSchemas(object: ObjectKind) {
  const NotifyStep = object({
    ...base,
    kind: z.literal('notify'),
    audience: object({ groups: z.array(AudienceGroup).min(1) }),
    channels: z.array(Channel).min(1),
    message: LocalizedText,
    /** Seconds the broadcast may take before the escalation applies. */
    deadlineSeconds: z.number().int().positive().max(86400).default(600),
    onDeadline: Escalation.default('continue'),
  });

  const ReserveStep = object({
    ...base,
    kind: z.literal('reserve'),
    /** `reserve` in mobilize, `issue` in respond, `return` in recover: one reservation, three moments. */
    action: z.enum(['reserve', 'issue', 'return']).default('reserve'),
    items: z
      .array(object({ itemCode: Slug, perThousandResidents: z.number().nonnegative(), minimum: z.number().int().nonnegative().default(0) }))
      .default([]),
  });

  const DispatchStep = object({
    ...base,
    kind: z.literal('dispatch'),
    role: PersonType,
    skill: Slug.optional(),
    task: LocalizedText,
    ackDeadlineSeconds: z.number().int().positive().max(86400),
    /** How many backups to try when the owner does not acknowledge in time. */
    maxFallbacks: z.number().int().min(0).max(10).default(2),
    /** Seconds to wait for the owner to report the task done before moving on. */
    completionDeadlineSeconds: z.number().int().positive().max(7 * 86400).default(3600),
    onDeadline: Escalation.default('fallback-to-backup'),
  });

  const OpenSiteStep = object({
    ...base,
    kind: z.literal('open-site'),
    siteKinds: z.array(z.enum(['park', 'square', 'community-centre', 'school'])).min(1),
    capacityShare: z.number().min(0).max(1),
  });

  const AwaitStep = object({
    ...base,
    kind: z.literal('await'),
    /**
     * `timer`: wait `seconds`. `operator`: wait for the operator's `advance`. `quorum`: wait until `quorum.share` of
     * the tasks dispatched so far (or of `quorum.steps`) are acknowledged, at most `seconds`, then apply `onDeadline`.
     * `decision`: open an approval gate the commander resolves with a `decide` command (`options`, default proceed/stand-down).
     */
    for: z.enum(['timer', 'operator', 'quorum', 'decision']),
    seconds: z.number().int().positive().max(30 * 86400).optional(),
    quorum: object({ share: z.number().gt(0).max(1), steps: z.array(Slug).min(1).optional() }).optional(),
    /** The question a `decision` gate asks. */
    question: LocalizedText.optional(),
    onDeadline: Escalation.default('continue'),
  });

  const AwardStep = object({
    ...base,
    kind: z.literal('award'),
    /** Awards points for every task of this incident's community that was completed. */
    for: z.literal('completed-tasks'),
  });

  const CollectStep = object({
    ...base,
    kind: z.literal('collect'),
    figures: z.array(z.enum(['notification', 'supplies', 'personnel', 'incentives'])).min(1),
  });

  const PlanStep = z.discriminatedUnion('kind', [NotifyStep, ReserveStep, DispatchStep, OpenSiteStep, AwaitStep, AwardStep, CollectStep]);

  const phaseSteps = z.array(PlanStep).max(50).default([]);

  const PlanDocument = object({
      id: Slug,
      version: z.number().int().positive(),
      title: LocalizedText,
      kind: PlanKind,
      hazard: z.string().min(1).max(100),
      /** Multiplier per severity applied to quantities and audiences. */
      severityScaling: object({ I: z.number().positive(), II: z.number().positive(), III: z.number().positive(), IV: z.number().positive() }),
      phases: object({ warn: phaseSteps, mobilize: phaseSteps, respond: phaseSteps, recover: phaseSteps, review: phaseSteps }),
    })
    .superRefine((plan, ctx) => {
      const seen = new Map<string, string>();
      for (const phase of PHASES) {
        plan.phases[phase].forEach((step, index) => {
          if (step.kind === 'await') {
            const at = (field: string, message: string) => ctx.addIssue({ code: 'custom', path: ['phases', phase, index, field], message });
            if (step.for === 'timer' && !step.seconds) at('seconds', 'a timer needs seconds');
            if (step.for === 'quorum' && !step.quorum) at('quorum', 'a quorum wait needs quorum.share');
            if (step.for === 'quorum' && !step.seconds) at('seconds', 'a quorum wait needs seconds (its deadline)');
            if (step.for === 'decision' && !step.question) at('question', 'a decision gate needs a question');
          }
          const where = seen.get(step.id);
          if (where) ctx.addIssue({ code: 'custom', path: ['phases', phase, index, 'id'], message: `step id "${step.id}" is already used at ${where}` });
          seen.set(step.id, `phases.${phase}.${index}`);
        });
      }
    });
  return { NotifyStep, ReserveStep, DispatchStep, OpenSiteStep, AwaitStep, AwardStep, CollectStep, PlanStep, PlanDocument };
}

/**
 * The plan as the system reads it back (the incident workflow's input, on every replay; stored versions): unknown
 * fields are dropped, so a recorded history or a stored version never fails on a field it did not know.
 */
const read = planSchemas(z.object);
export const { NotifyStep, ReserveStep, DispatchStep, OpenSiteStep, AwaitStep, AwardStep, CollectStep, PlanStep, PlanDocument } = read;
export type PlanStep = z.infer<typeof PlanStep>;
export type StepOf<K extends PlanStep['kind']> = Extract<PlanStep, { kind: K }>;

/**
 * The plan as a caller posts it (POST /v1/plans, new versions, the bundled library, `lifeline plan validate`): the
 * same schemas refusing unknown fields at every level, so a typo (`deadlineSecond`) is a mistake named at its path,
 * not a step silently run with the default. Its output is a {@link PlanDocument}.
 */
const posted = planSchemas(z.strictObject);
export const PostedPlanStep = posted.PlanStep;
export const PostedPlanDocument = posted.PlanDocument;
export type PlanDocument = z.infer<typeof PlanDocument>;
export type PlanInput = z.input<typeof PlanDocument>;
