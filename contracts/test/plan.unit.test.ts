import fs from 'node:fs';
import path from 'node:path';
import { PlanDocument, issuesToDetails } from '../src';

const library = path.resolve(__dirname, '../../services/command-center/plans');
const drill = () => JSON.parse(fs.readFileSync(path.join(library, 'community-drill.json'), 'utf8'));

describe('plan documents', () => {
  it('every bundled plan is valid', () => {
    for (const file of fs.readdirSync(library).filter((f) => f.endsWith('.json'))) {
      const parsed = PlanDocument.safeParse(JSON.parse(fs.readFileSync(path.join(library, file), 'utf8')));
      expect({ file, ok: parsed.success }).toEqual({ file, ok: true });
    }
  });

  it('points at the offending path when a step is wrong', () => {
    const plan = drill();
    plan.phases.mobilize[1].ackDeadlineSeconds = -5;
    const parsed = PlanDocument.safeParse(plan);
    expect(parsed.success).toBe(false);
    expect(issuesToDetails(parsed.error!).map((d) => d.path)).toContain('phases.mobilize.1.ackDeadlineSeconds');
  });

  it('refuses a step id used twice', () => {
    const plan = drill();
    plan.phases.recover[1].id = 'warn-residents';
    const parsed = PlanDocument.safeParse(plan);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.message).toMatch(/already used at phases.warn.0/);
  });

  it('refuses an unknown step kind', () => {
    const plan = drill();
    plan.phases.warn[0].kind = 'teleport';
    expect(PlanDocument.safeParse(plan).success).toBe(false);
  });
});
