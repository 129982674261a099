/**
 * The workflows read operator commands and signals with `zod/mini` schemas (`src/inbound.ts`, cheap to evaluate in
 * every workflow run); the commands route reads the same commands with classic zod, strictly. One shape for both.
 */
import { z } from 'zod';
import { IncidentCommand, IncidentCommandRequest, TaskSignal, DeadlineSignal, GateDecisionSignal, PHASES, Severity, Slug, Phase } from '../src';

/** A JSON Schema without `additionalProperties`, the one intended difference (lenient reader, strict route). */
function shape(schema: z.core.$ZodType): unknown {
  return JSON.parse(JSON.stringify(z.toJSONSchema(schema), (key, value: unknown) => (key === 'additionalProperties' ? undefined : value)));
}

test("the workflow's lenient commands and the route's strict commands are one shape", () => {
  expect(shape(IncidentCommand)).toEqual(shape(IncidentCommandRequest));
  expect(JSON.stringify(z.toJSONSchema(IncidentCommandRequest))).toContain('"additionalProperties":false');
});

test('the workflow drops unknown command fields where the route refuses them', () => {
  const command = { type: 'escalate', reason: 'river rising', severity: 'II', severty: 'I' };
  expect(IncidentCommand.parse(command)).toEqual({ type: 'escalate', reason: 'river rising', severity: 'II' });
  expect(IncidentCommandRequest.safeParse(command).error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['severty'] });
});

test('the signals use the same slugs, phases and severities as the classic contracts', () => {
  expect(shape(TaskSignal)).toEqual(shape(z.object({ taskId: z.string(), status: z.enum(['acknowledged', 'done']), ownerId: Slug, hours: z.number().optional() })));
  expect(shape(DeadlineSignal)).toEqual(
    shape(z.object({ communityId: Slug, phase: Phase, stepId: Slug, rule: z.enum(['escalate-severity', 'ask-commander']), detail: z.string().max(500) })),
  );
  expect(shape(GateDecisionSignal)).toEqual(shape(z.object({ gateId: z.string(), decision: Slug })));
  expect(Phase.options).toEqual([...PHASES]);
  expect(Severity.options).toEqual(['I', 'II', 'III', 'IV']);
  for (const bad of ['Bad', '-x', 'a'.repeat(64)]) expect(GateDecisionSignal.safeParse({ gateId: 'g', decision: bad }).success).toBe(false);
});
