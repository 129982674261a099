import { PHASES, type Phase, type Severity } from './common';
import { issuesToDetails } from './errors';
import { PostedPlanDocument, type PlanDocument, type PlanStep, type StepOf } from './plan';
import { PLAN_VOCABULARY, type PlanVocabulary } from './plan-vocabulary';

/**
 * Semantic rules of a plan document, beyond its shape (PlanDocument): the names it uses exist, its steps refer to
 * steps that run before them, its phases can do what they say, its numbers are sane. Pure: the command-center runs
 * it on every published version and on the bundled library at start-up, the CLI before anything is sent.
 */

/** One mistake: where (the document path, as shape errors give it), what is wrong and, where a list is known, what would be valid. */
export interface PlanProblem {
  path: string;
  message: string;
  allowed?: readonly (string | number)[];
}

const SEVERITIES: readonly Severity[] = ['I', 'II', 'III', 'IV'];
/** A multiplier outside this range is a typo, not a plan (5e-324 reserves nothing, 1e6 empties every depot). */
export const SCALING_RANGE = { min: 0.1, max: 10 } as const;
/** Units per thousand residents above this (five per resident) are a typo; a fixed minimum above this too. */
export const MAX_PER_THOUSAND = 5000;
export const MAX_MINIMUM = 100_000;

interface Placed {
  phase: Phase;
  index: number;
  step: PlanStep;
  path: string;
}

const runsAt = (step: PlanStep): readonly Severity[] => step.severities ?? SEVERITIES;
const an = (word: string) => (/^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`);
const duplicatesOf = <T>(values: readonly T[]): T[] => values.filter((v, i) => values.indexOf(v) !== i);

/** Every semantic mistake in a (shape-valid) plan; empty when the plan may be published. */
export function planProblems(plan: PlanDocument, vocabulary: PlanVocabulary = PLAN_VOCABULARY): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const report = (path: string, message: string, allowed?: readonly (string | number)[]) => problems.push(allowed ? { path, message, allowed } : { path, message });
  const placed: Placed[] = PHASES.flatMap((phase) => plan.phases[phase].map((step, index) => ({ phase, index, step, path: `phases.${phase}.${index}` })));

  kindAndHazard(plan, vocabulary, report);
  scaling(plan, report);
  if (placed.length === 0) report('phases', 'the plan has no steps in any phase; a plan must at least warn residents (a notify step in warn)');
  else warnsEveryone(placed, report);
  placed.forEach((here, position) => stepRules(here, placed.slice(0, position), placed, vocabulary, report));
  return problems;
}

/**
 * The whole check of a posted plan: its shape (PlanDocument), then its meaning (planProblems) and, for a new version,
 * that it stays the same kind of plan as `previous`. The command-center refuses with these problems; the CLI prints them.
 */
export function checkPlan(input: unknown, previous?: PlanDocument, vocabulary: PlanVocabulary = PLAN_VOCABULARY): { plan: PlanDocument; problems: [] } | { plan?: undefined; problems: PlanProblem[] } {
  const parsed = PostedPlanDocument.safeParse(input);
  if (!parsed.success) return { problems: issuesToDetails(parsed.error) };
  const problems = [...(previous ? sameKind(previous, parsed.data) : []), ...planProblems(parsed.data, vocabulary)];
  return problems.length ? { problems } : { plan: parsed.data, problems: [] };
}

/** A version keeps the kind and hazard of its plan: another kind of plan is another plan, with its own id. */
function sameKind(previous: PlanDocument, next: PlanDocument): PlanProblem[] {
  return (['kind', 'hazard'] as const)
    .filter((field) => previous[field] !== next[field])
    .map((field) => ({ path: field, message: `version ${previous.version} of ${previous.id} is ${field} "${previous[field]}"; a new version keeps it (publish a new plan for another ${field})`, allowed: [previous[field]] }));
}

type Report = (path: string, message: string, allowed?: readonly (string | number)[]) => void;

function kindAndHazard(plan: PlanDocument, vocabulary: PlanVocabulary, report: Report) {
  const allowed = vocabulary.hazards[plan.kind];
  if (allowed.includes(plan.hazard)) return;
  const owner = (Object.keys(vocabulary.hazards) as PlanDocument['kind'][]).find((k) => k !== 'comprehensive' && vocabulary.hazards[k].includes(plan.hazard));
  const why = owner ? `"${plan.hazard}" is a hazard of ${owner} plans, not ${plan.kind}` : `"${plan.hazard}" is not a known hazard`;
  report('hazard', `${why}; a ${plan.kind} plan covers: ${allowed.join(', ')}`, allowed);
}

function scaling(plan: PlanDocument, report: Report) {
  for (const s of SEVERITIES) {
    const factor = plan.severityScaling[s];
    if (factor < SCALING_RANGE.min || factor > SCALING_RANGE.max) report(`severityScaling.${s}`, `${factor} is outside ${SCALING_RANGE.min}–${SCALING_RANGE.max}; the usual factors are I 2, II 1.5, III 1.2, IV 1`);
  }
  // I is the most serious level: it may not scale below a lesser one.
  SEVERITIES.slice(1).forEach((lesser, i) => {
    const graver = SEVERITIES[i]!;
    if (plan.severityScaling[graver] < plan.severityScaling[lesser]) {
      report(`severityScaling.${graver}`, `severity ${graver} (${plan.severityScaling[graver]}) scales below severity ${lesser} (${plan.severityScaling[lesser]}); factors must not fall from IV to I`);
    }
  });
}

/** At every severity, the warn phase broadcasts to someone. */
function warnsEveryone(placed: Placed[], report: Report) {
  const warned = new Set(placed.filter((p) => p.phase === 'warn' && p.step.kind === 'notify').flatMap((p) => runsAt(p.step)));
  const silent = SEVERITIES.filter((s) => !warned.has(s));
  if (silent.length === SEVERITIES.length) report('phases.warn', 'the warn phase has no notify step: an incident of this plan would warn nobody');
  else if (silent.length) report('phases.warn', `no notify step of the warn phase runs at severity ${silent.join(', ')}: those incidents would warn nobody`, silent);
}

function stepRules(here: Placed, before: Placed[], all: Placed[], vocabulary: PlanVocabulary, report: Report) {
  const { step, path } = here;
  const twice = duplicatesOf(step.severities ?? []);
  if (twice.length) report(`${path}.severities`, `severity ${twice.join(', ')} is listed twice`);
  switch (step.kind) {
    case 'notify':
      return notifyRules(step, path, report);
    case 'reserve':
      return reserveRules(step, here, before, vocabulary, report);
    case 'dispatch':
      return dispatchRules(step, path, vocabulary, report);
    case 'open-site':
      return openSiteRules(step, path, report);
    case 'await':
      return awaitRules(step, path, before, all, report);
    case 'award':
      if (!before.some((p) => p.step.kind === 'dispatch')) report(path, 'an award step needs a dispatch step before it: there are no tasks to award points for');
      return;
    case 'collect': {
      const again = duplicatesOf(step.figures);
      if (again.length) report(`${path}.figures`, `${again.join(', ')} listed twice`);
      return;
    }
  }
}

/** Broadcasts have no backup to fall back to; only these rules act on a broadcast or a wait. */
const NON_DISPATCH_RULES = ['continue', 'escalate-severity', 'ask-commander'] as const;

function notifyRules(step: StepOf<'notify'>, path: string, report: Report) {
  step.audience.groups.forEach((group, i) => {
    if (group === 'responders') report(`${path}.audience.groups.${i}`, 'responders are reached by dispatch steps, not by a resident broadcast; use everyone or vulnerable', ['everyone', 'vulnerable']);
  });
  const groupsTwice = duplicatesOf(step.audience.groups);
  if (groupsTwice.length) report(`${path}.audience.groups`, `${groupsTwice.join(', ')} listed twice`);
  step.channels.forEach((channel, i) => {
    if (step.channels.indexOf(channel) !== i) report(`${path}.channels.${i}`, `channel ${channel} is already listed at ${path}.channels.${step.channels.indexOf(channel)}`);
  });
  if (step.onDeadline === 'fallback-to-backup') report(`${path}.onDeadline`, 'a broadcast has no backup to fall back to', NON_DISPATCH_RULES);
}

function reserveRules(step: StepOf<'reserve'>, here: Placed, before: Placed[], vocabulary: PlanVocabulary, report: Report) {
  const { path } = here;
  const earlier = (action: StepOf<'reserve'>['action']) => before.filter((p) => p.step.kind === 'reserve' && p.step.action === action);
  if (step.action !== 'reserve') {
    if (step.items.length) report(`${path}.items`, `${an(step.action)} step hands on what earlier steps hold and ignores items; leave items empty`);
    const needs = step.action === 'issue' ? 'reserve' : 'issue';
    const sources = earlier(needs);
    if (sources.length === 0) {
      report(path, `${an(step.action)} step needs ${an(needs)} step before it (in this or an earlier phase); there is nothing to ${step.action}`);
      return;
    }
    const covered = new Set(sources.flatMap((p) => runsAt(p.step)));
    const missing = runsAt(step).filter((s) => !covered.has(s));
    if (missing.length) report(`${path}.severities`, `at severity ${missing.join(', ')} no ${needs} step runs before this ${step.action} step`, [...covered]);
    return;
  }
  if (here.phase === 'review') report(path, 'a reserve step in review holds stock after the response has ended; reserve in warn, mobilize or respond', ['warn', 'mobilize', 'respond']);
  if (step.items.length === 0) report(`${path}.items`, 'a reserve step must list at least one item', vocabulary.itemCodes);
  step.items.forEach((line, i) => {
    const at = `${path}.items.${i}`;
    if (!vocabulary.itemCodes.includes(line.itemCode)) report(`${at}.itemCode`, `no item "${line.itemCode}" in the supplies catalogue`, vocabulary.itemCodes);
    else if (step.items.findIndex((l) => l.itemCode === line.itemCode) !== i) report(`${at}.itemCode`, `${line.itemCode} is already reserved by this step; merge the lines`);
    if (line.perThousandResidents === 0 && line.minimum === 0) report(at, 'this line reserves nothing: give perThousandResidents or a minimum above 0');
    if (line.perThousandResidents > MAX_PER_THOUSAND) report(`${at}.perThousandResidents`, `${line.perThousandResidents} per thousand residents is more than ${MAX_PER_THOUSAND} (five per resident)`);
    if (line.minimum > MAX_MINIMUM) report(`${at}.minimum`, `a minimum of ${line.minimum} per community is more than ${MAX_MINIMUM}`);
  });
}

function dispatchRules(step: StepOf<'dispatch'>, path: string, vocabulary: PlanVocabulary, report: Report) {
  if (step.skill !== undefined && !vocabulary.skills.includes(step.skill)) report(`${path}.skill`, `no skill "${step.skill}" in the roster's skills`, vocabulary.skills);
  if (step.ackDeadlineSeconds >= step.completionDeadlineSeconds) {
    report(`${path}.ackDeadlineSeconds`, `the acknowledgement deadline (${step.ackDeadlineSeconds} s) must be shorter than the completion deadline (${step.completionDeadlineSeconds} s)`);
  }
  if (step.onDeadline === 'fallback-to-backup' && step.maxFallbacks === 0) report(`${path}.maxFallbacks`, 'onDeadline fallback-to-backup with maxFallbacks 0 never tries a backup; allow at least 1 or choose another rule');
}

function openSiteRules(step: StepOf<'open-site'>, path: string, report: Report) {
  step.siteKinds.forEach((kind, i) => {
    if (step.siteKinds.indexOf(kind) !== i) report(`${path}.siteKinds.${i}`, `site kind ${kind} is listed twice`);
  });
  if (step.capacityShare === 0) report(`${path}.capacityShare`, 'a capacity share of 0 opens no places; give a share above 0 (1 = every place of the sites)');
}

function awaitRules(step: StepOf<'await'>, path: string, before: Placed[], all: Placed[], report: Report) {
  if (step.onDeadline === 'fallback-to-backup') report(`${path}.onDeadline`, 'a wait has no backup to fall back to', NON_DISPATCH_RULES);
  if (step.seconds !== undefined && (step.for === 'operator' || step.for === 'decision')) report(`${path}.seconds`, `${an(step.for)} wait has no deadline and ignores seconds; use for: timer or quorum, or remove seconds`);
  if (step.quorum && step.for !== 'quorum') report(`${path}.quorum`, `quorum is only read by a quorum wait, not ${an(step.for)} wait`);
  if (step.question && step.for !== 'decision') report(`${path}.question`, `question is only asked by a decision wait, not ${an(step.for)} wait`);
  if (step.for !== 'quorum') return;
  const dispatches = before.filter((p) => p.step.kind === 'dispatch');
  if (dispatches.length === 0) report(path, 'a quorum wait needs a dispatch step before it: there are no tasks to acknowledge');
  const ids = dispatches.map((p) => p.step.id);
  step.quorum?.steps?.forEach((id, i) => {
    if (ids.includes(id)) return;
    const at = `${path}.quorum.steps.${i}`;
    const other = all.find((p) => p.step.id === id);
    if (!other) report(at, `no step "${id}" in this plan; a quorum counts the tasks of dispatch steps before the wait`, ids);
    else if (other.step.kind !== 'dispatch') report(at, `step "${id}" (${other.path}) is ${an(other.step.kind)} step; a quorum counts dispatched tasks`, ids);
    else report(at, `dispatch step "${id}" (${other.path}) runs after this wait; a quorum counts tasks dispatched before it`, ids);
  });
}

export { HAZARDS, PLAN_VOCABULARY, SKILLS, SUPPLY_ITEMS, type PlanVocabulary } from './plan-vocabulary';
