import type { IncidentView } from '@lifeline/contracts';
import { progressLine } from '../src/commands/incident';

const figures = {
  notification: { jobs: 1, total: 300, sent: 120 },
  supplies: { reserved: 8, issued: 2, returned: 0, shortfall: 0 },
  personnel: { tasks: 2, acknowledged: 1, done: 0, fallbacks: 0, missed: 0 },
  incentives: { awards: 0, points: 0 },
};
const view = (phase: IncidentView['phase'], status: IncidentView['status'] = 'running'): IncidentView => ({
  incidentId: 'inc-1',
  title: 't',
  planId: 'p',
  planVersion: 1,
  severity: 'III',
  drill: true,
  phase,
  status,
  areas: [{ districtId: 'd01', communityId: 'c1', population: 300, figures }, { districtId: 'd01', communityId: 'c2', population: 300, figures }],
  timeline: [],
});

describe('lifeline incident start --wait progress line', () => {
  it('marks done phases, brackets the current one and sums the figures over areas', () => {
    expect(progressLine(view('respond'))).toBe(
      '✔warn ▸ ✔mobilize ▸ [respond] ▸ recover ▸ review  running  severity III  areas 2  reached 240/600  supplies 16 reserved 4 issued  responders 2/4 acknowledged',
    );
  });

  it('says how a closed incident ended', () => {
    expect(progressLine(view('closed', 'cancelled'))).toMatch(/^✔warn ▸ ✔mobilize ▸ ✔respond ▸ ✔recover ▸ ✔review {2}closed \(cancelled\)/);
  });
});
