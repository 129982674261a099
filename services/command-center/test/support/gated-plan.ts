import { randomUUID } from 'node:crypto';
import type { PlanInput } from '@lifeline/contracts';

/**
 * A small plan for console tests: warn notifies the residents (a drill: sandboxed channels) and waits a few seconds (so the console shows a phase change while it watches),
 * then mobilize waits for the operator, so the incident is still running when the test stands it down. Published
 * under a fresh id per run, so no bundled plan is changed.
 */
export function gatedPlan(warnSeconds = 3): PlanInput {
  return {
    id: `console-gate-${randomUUID().slice(0, 8)}`,
    version: 1,
    title: { zh: '控制台测试：动员阶段等待指挥员', en: 'Console test: mobilize waits for the commander' },
    kind: 'comprehensive',
    hazard: 'multi-hazard',
    severityScaling: { I: 2, II: 1.5, III: 1.2, IV: 1 },
    phases: {
      warn: [
        {
          id: 'warn-residents',
          kind: 'notify',
          title: { zh: '向居民发布演练预警', en: 'Warn the residents (drill)' },
          audience: { groups: ['everyone'] },
          channels: ['sms'],
          message: { zh: '【演练】控制台测试预警', en: '[Drill] console test warning' },
        },
        { id: 'warn-pause', kind: 'await', for: 'timer', seconds: warnSeconds, title: { zh: '预警后稍候', en: 'Pause after the warning' } },
      ],
      mobilize: [{ id: 'mobilize-gate', kind: 'await', for: 'operator', title: { zh: '等待指挥员决定', en: 'Wait for the commander' } }],
      respond: [],
      recover: [],
      review: [],
    },
  };
}
