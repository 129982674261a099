import { capAlert, type CapSource } from '../src/domain/cap';
import { validateCap } from './cap-schema';

const source: CapSource = {
  jobId: 'bcast-0d1e2f',
  incidentId: 'inc-flood-7',
  communityId: 'c0001',
  stepId: 'warn-everyone',
  severity: 'II',
  drill: true,
  message: { zh: '暴雨橙色预警：请远离地下空间 <立即>。', en: 'Orange rainstorm warning: keep out of basements & underpasses.' },
  audience: { groups: ['everyone'], gridIds: ['g-1', 'g-2'] },
  createdAt: new Date('2026-07-01T08:30:00.123Z'),
};

describe('CAP 1.2 alerts', () => {
  it('a drill alert validates against the official schema, with status Exercise and one info per language', async () => {
    const { identifier, xml } = capAlert(source);
    const result = await validateCap(xml);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    expect(identifier).toBe('lifeline.bcast-0d1e2f');
    expect(xml).toContain('<status>Exercise</status>');
    expect(xml.match(/<info>/g)).toHaveLength(2);
    expect(xml).toContain('<language>zh-CN</language>');
    expect(xml).toContain('<language>en</language>');
    expect(xml).toContain('<severity>Severe</severity>');
    expect(xml).toContain('<sent>2026-07-01T08:30:00+00:00</sent>');
    expect(xml).toContain('&lt;立即&gt;');
  });

  it('a live alert is Actual and validates; a broken document does not', async () => {
    const live = capAlert({ ...source, drill: false, severity: 'I' });
    expect(live.xml).toContain('<status>Actual</status>');
    expect((await validateCap(live.xml)).valid).toBe(true);
    const broken = live.xml.replace('<status>Actual</status>', '<status>Rehearsal</status>');
    const refused = await validateCap(broken);
    expect(refused.valid).toBe(false);
    expect(refused.errors.length).toBeGreaterThan(0);
  });
});
