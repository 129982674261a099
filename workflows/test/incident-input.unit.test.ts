/**
 * The incident workflow checks its start with `IncidentStart` (zod/mini, envelope and plan skeleton) instead of the
 * full `IncidentInput`, which the command-center applies before it starts the run. The two must agree: on every
 * recorded incident history and every bundled plan the workflow sees exactly what the full contract answers (so no
 * replay changes), and what the full contract refuses at the envelope the workflow refuses too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IncidentInput, IncidentStart, PlanDocument } from '@lifeline/contracts';
import { parseIncidentInput } from '../src/incident/input';

const histories = join(__dirname, 'histories');
const plans = join(__dirname, '../../services/command-center/plans');

/** The first input of every recorded incident run, per generation. */
const recorded = readdirSync(histories).flatMap((generation) =>
  readdirSync(join(histories, generation)).flatMap((file) => {
    const history = JSON.parse(readFileSync(join(histories, generation, file), 'utf8')) as { events: { workflowExecutionStartedEventAttributes: { workflowType: { name: string }; input: { payloads: { data: string }[] } } }[] };
    const started = history.events[0]!.workflowExecutionStartedEventAttributes;
    if (started.workflowType.name !== 'incidentWorkflow') return [];
    return [[`${generation}/${file}`, JSON.parse(Buffer.from(started.input.payloads[0]!.data, 'base64').toString()) as Record<string, unknown>] as const];
  }),
);

const inputWith = (plan: unknown) => IncidentInput.parse({ incidentId: 'inc-check', title: 'check', severity: 'II', drill: true, area: { districtIds: ['east'] }, plan, requestedBy: 'op' });

test('every recorded incident input reads the same through the workflow check as through the full contract', () => {
  expect(recorded.length).toBeGreaterThan(50);
  for (const [name, raw] of recorded) expect({ name, data: parseIncidentInput(raw).data }).toEqual({ name, data: IncidentInput.parse(raw) });
});

test('every bundled plan passes through the workflow check unchanged', () => {
  const files = readdirSync(plans).filter((f) => f.endsWith('.json'));
  expect(files.length).toBeGreaterThan(5);
  for (const file of files) {
    const input = inputWith(PlanDocument.parse(JSON.parse(readFileSync(join(plans, file), 'utf8'))));
    expect(IncidentStart.parse(input)).toEqual(input);
  }
});

test('what the full contract refuses at the envelope, the workflow check refuses, naming the same field', () => {
  const [, good] = recorded[0]!;
  const plan = good.plan as { phases: Record<string, { id: string }[]> };
  const broken: [string, Record<string, unknown>][] = [
    ['title', { ...good, title: '' }],
    ['severity', { ...good, severity: 'V' }],
    ['drill', { ...good, drill: 'yes' }],
    ['area', { ...good, area: {} }],
    ['area', { ...good, area: { cityWide: false } }],
    ['area', { ...good, area: { communityIds: ['c1'], grid: 'x' } }],
    ['area', { ...good, area: { communityIds: [] } }],
    ['requestedBy', { ...good, requestedBy: undefined }],
    ['incidentId', { ...good, incidentId: 'Not A Slug' }],
    ['plan', { ...good, plan: { ...plan, version: 0 } }],
    ['plan', { ...good, plan: { ...plan, phases: { ...plan.phases, warn: 'none' } } }],
    ['plan', { ...good, plan: { ...plan, phases: { ...plan.phases, warn: [{ ...plan.phases.warn![0], id: 'Bad Id' }] } } }],
  ];
  // A phase left out is empty in both.
  const noReview = { ...good, plan: { ...plan, phases: { ...plan.phases, review: undefined } } };
  expect(parseIncidentInput(noReview).data).toEqual(IncidentInput.parse(noReview));
  for (const [field, input] of broken) {
    const full = IncidentInput.safeParse(input);
    const check = parseIncidentInput(input);
    expect({ field, full: full.success, check: check.success }).toEqual({ field, full: false, check: false });
    expect(check.error!.issues.map((i) => i.path[0])).toContain(field);
  }
});
