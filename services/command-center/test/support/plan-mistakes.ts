import fs from 'node:fs';
import path from 'node:path';
import type { Phase } from '@lifeline/contracts';

/**
 * Semantic mistakes an emergency office must never publish, each applied to the bundled community drill and named by
 * the path its error must point at. Shared by the validator's unit test and the HTTP test that posts them all.
 */

type Step = Record<string, unknown>;
/** A plan as the JSON a client posts. */
export interface PlanJson {
  id: string;
  version: number;
  kind: string;
  hazard: string;
  severityScaling: Record<string, number>;
  phases: Record<Phase, Step[]>;
  [field: string]: unknown;
}

export interface PlanMistake {
  name: string;
  /** A path the refusal must name (it may name others too). */
  path: string;
  change: (plan: PlanJson) => void;
}

const LIBRARY = path.resolve(__dirname, '..', '..', 'plans');
/** A bundled plan as posted JSON (a fresh copy each call). */
export const bundledPlan = (id: string): PlanJson => JSON.parse(fs.readFileSync(path.join(LIBRARY, `${id}.json`), 'utf8')) as PlanJson;

// The community drill: warn [warn-residents], mobilize [reserve-shelter-kits, dispatch-grid-worker],
// respond [issue-shelter-kits, award-responders], recover [return-shelter-kits, all-clear], review [collect-figures].
const step = (plan: PlanJson, phase: Phase, index: number): Step => plan.phases[phase][index]!;
const line = (plan: PlanJson, index: number): Step => (step(plan, 'mobilize', 0).items as Step[])[index]!;
const title = { zh: '测试步骤', en: 'Test step' };
const waitIn = (plan: PlanJson, phase: Phase, wait: Step) => plan.phases[phase].push({ id: 'test-wait', kind: 'await', title, ...wait });
const openSite = (plan: PlanJson, site: Step) => plan.phases.respond.push({ id: 'test-site', kind: 'open-site', title, siteKinds: ['park'], capacityShare: 0.1, ...site });

/** The two versions the API fuzzer got accepted (issue #17), as versions of the plans it posted them to. */
export const FUZZED_VERSIONS: { planId: string; paths: string[]; change: (plan: PlanJson) => void }[] = [
  {
    planId: 'community-drill',
    paths: ['phases', 'severityScaling.I'],
    change: (p) => {
      p.phases = { warn: [], mobilize: [], respond: [], recover: [], review: [] };
      p.severityScaling = { I: 5e-324, II: 5e-324, III: 5e-324, IV: 5e-324 };
    },
  },
  {
    planId: 'comprehensive',
    paths: ['kind', 'hazard'],
    change: (p) => {
      p.kind = 'food-safety';
      p.hazard = 'flood-typhoon';
    },
  },
];

export const PLAN_MISTAKES: PlanMistake[] = [
  { name: 'a scaling factor of 5e-324', path: 'severityScaling.IV', change: (p) => void (p.severityScaling.IV = 5e-324) },
  { name: 'a scaling factor of 1000', path: 'severityScaling.I', change: (p) => void (p.severityScaling.I = 1000) },
  { name: 'severity I scaled below IV', path: 'severityScaling.III', change: (p) => void (p.severityScaling = { I: 1, II: 1.2, III: 1.5, IV: 2 }) },
  { name: 'every phase empty', path: 'phases', change: (p) => void (p.phases = { warn: [], mobilize: [], respond: [], recover: [], review: [] }) },
  { name: 'a warn phase without a notify step', path: 'phases.warn', change: (p) => void (p.phases.warn = []) },
  { name: 'warning only at severity I', path: 'phases.warn', change: (p) => void (step(p, 'warn', 0).severities = ['I']) },
  { name: 'a severity listed twice', path: 'phases.mobilize.1.severities', change: (p) => void (step(p, 'mobilize', 1).severities = ['I', 'I']) },
  { name: 'a broadcast to responders', path: 'phases.warn.0.audience.groups.0', change: (p) => void (step(p, 'warn', 0).audience = { groups: ['responders'] }) },
  { name: 'an audience group twice', path: 'phases.warn.0.audience.groups', change: (p) => void (step(p, 'warn', 0).audience = { groups: ['vulnerable', 'vulnerable'] }) },
  { name: 'a channel listed twice', path: 'phases.warn.0.channels.2', change: (p) => void (step(p, 'warn', 0).channels = ['sms', 'app-push', 'sms']) },
  { name: 'a broadcast falling back to a backup', path: 'phases.warn.0.onDeadline', change: (p) => void (step(p, 'warn', 0).onDeadline = 'fallback-to-backup') },
  { name: 'an item the catalogue does not have', path: 'phases.mobilize.0.items.1.itemCode', change: (p) => void (line(p, 1).itemCode = 'medkit') },
  { name: 'an item reserved twice by one step', path: 'phases.mobilize.0.items.2.itemCode', change: (p) => void (line(p, 2).itemCode = 'tent') },
  { name: 'a line that reserves nothing', path: 'phases.mobilize.0.items.0', change: (p) => Object.assign(line(p, 0), { perThousandResidents: 0, minimum: 0 }) },
  { name: 'a billion per thousand residents', path: 'phases.mobilize.0.items.0.perThousandResidents', change: (p) => void (line(p, 0).perThousandResidents = 1e9) },
  { name: 'a minimum of ten million', path: 'phases.mobilize.0.items.0.minimum', change: (p) => void (line(p, 0).minimum = 10_000_000) },
  { name: 'a reserve step without items', path: 'phases.mobilize.0.items', change: (p) => void (step(p, 'mobilize', 0).items = []) },
  { name: 'an issue without a reserve before it', path: 'phases.respond.0', change: (p) => void p.phases.mobilize.splice(0, 1) },
  { name: 'a return without an issue before it', path: 'phases.recover.0', change: (p) => void p.phases.respond.splice(0, 1) },
  { name: 'an issue step listing items', path: 'phases.respond.0.items', change: (p) => void (step(p, 'respond', 0).items = [{ itemCode: 'tent', perThousandResidents: 5, minimum: 1 }]) },
  { name: 'an issue at severities its reserve skips', path: 'phases.respond.0.severities', change: (p) => void (step(p, 'mobilize', 0).severities = ['I']) },
  { name: 'a reserve in the review phase', path: 'phases.review.1', change: (p) => void p.phases.review.push({ ...step(p, 'mobilize', 0), id: 'late-reserve' }) },
  { name: 'a skill nobody has', path: 'phases.mobilize.1.skill', change: (p) => void (step(p, 'mobilize', 1).skill = 'juggling') },
  { name: 'an acknowledgement deadline past the completion deadline', path: 'phases.mobilize.1.ackDeadlineSeconds', change: (p) => void (step(p, 'mobilize', 1).ackDeadlineSeconds = 900) },
  { name: 'fallback-to-backup with no backups', path: 'phases.mobilize.1.maxFallbacks', change: (p) => void (step(p, 'mobilize', 1).maxFallbacks = 0) },
  { name: 'an award with no dispatch before it', path: 'phases.respond.1', change: (p) => void p.phases.mobilize.splice(1, 1) },
  { name: 'a site kind listed twice', path: 'phases.respond.2.siteKinds.1', change: (p) => openSite(p, { siteKinds: ['park', 'park'] }) },
  { name: 'a site opening no places', path: 'phases.respond.2.capacityShare', change: (p) => openSite(p, { capacityShare: 0 }) },
  { name: 'a quorum of a step that does not exist', path: 'phases.mobilize.2.quorum.steps.0', change: (p) => waitIn(p, 'mobilize', { for: 'quorum', seconds: 60, quorum: { share: 0.5, steps: ['nobody'] } }) },
  { name: 'a quorum of a reserve step', path: 'phases.mobilize.2.quorum.steps.0', change: (p) => waitIn(p, 'mobilize', { for: 'quorum', seconds: 60, quorum: { share: 0.5, steps: ['reserve-shelter-kits'] } }) },
  { name: 'a quorum before any dispatch', path: 'phases.warn.1', change: (p) => waitIn(p, 'warn', { for: 'quorum', seconds: 60, quorum: { share: 0.5 } }) },
  { name: 'a quorum of a dispatch that comes later', path: 'phases.warn.1.quorum.steps.0', change: (p) => waitIn(p, 'warn', { for: 'quorum', seconds: 60, quorum: { share: 0.5, steps: ['dispatch-grid-worker'] } }) },
  { name: 'seconds on an operator wait', path: 'phases.mobilize.2.seconds', change: (p) => waitIn(p, 'mobilize', { for: 'operator', seconds: 60 }) },
  { name: 'a question on a timer', path: 'phases.mobilize.2.question', change: (p) => waitIn(p, 'mobilize', { for: 'timer', seconds: 60, question: title }) },
  { name: 'a wait falling back to a backup', path: 'phases.mobilize.2.onDeadline', change: (p) => waitIn(p, 'mobilize', { for: 'timer', seconds: 60, onDeadline: 'fallback-to-backup' }) },
  { name: 'a figure collected twice', path: 'phases.review.0.figures', change: (p) => void (step(p, 'review', 0).figures = ['supplies', 'supplies']) },
  { name: 'a hazard of another kind of plan', path: 'hazard', change: (p) => Object.assign(p, { kind: 'food-safety', hazard: 'earthquake' }) },
  { name: 'a hazard nobody knows', path: 'hazard', change: (p) => void (p.hazard = 'zombies') },
];

/** The community drill with one mistake in it. */
export function drillWith(mistake: { change: (plan: PlanJson) => void }, planId = 'community-drill'): PlanJson {
  const plan = bundledPlan(planId);
  mistake.change(plan);
  return plan;
}
