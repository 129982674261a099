import { capDecision, capWindow, contactLogIdOf, encodeContacts, stepKeyOf } from '../src/domain/contact-cap';

const s1 = stepKeyOf('inc-1', 'warn');
const s2 = stepKeyOf('inc-1', 'mobilize');
const s3 = stepKeyOf('inc-2', 'warn');

describe('the contact-frequency cap', () => {
  it('lets the first max steps of a window through and holds later ones back', () => {
    const log = [encodeContacts(s1, ['r-1', 'r-2']), encodeContacts(s2, ['r-1']), encodeContacts(s3, ['r-1', 'r-2'])];
    expect(capDecision(log, s1, 2, ['r-1', 'r-2'])).toEqual({ allowed: ['r-1', 'r-2'], capped: [] });
    expect(capDecision(log, s2, 2, ['r-1'])).toEqual({ allowed: ['r-1'], capped: [] });
    expect(capDecision(log, s3, 2, ['r-1', 'r-2'])).toEqual({ allowed: ['r-2'], capped: ['r-1'] });
    expect(capDecision(log, s2, 1, ['r-1'])).toEqual({ allowed: [], capped: ['r-1'] });
  });

  it('counts a retried step once: its second record changes nobody’s decision', () => {
    const once = [encodeContacts(s1, ['r-1']), encodeContacts(s2, ['r-1'])];
    const retried = [encodeContacts(s1, ['r-1']), encodeContacts(s1, ['r-1']), encodeContacts(s2, ['r-1'])];
    expect(capDecision(retried, s2, 2, ['r-1'])).toEqual(capDecision(once, s2, 2, ['r-1']));
    expect(capDecision(retried, s1, 1, ['r-1'])).toEqual({ allowed: ['r-1'], capped: [] });
  });

  it('holds back a resident whose step has not logged them (nothing may go out unlogged)', () => {
    expect(capDecision([], s1, 3, ['r-1'])).toEqual({ allowed: [], capped: ['r-1'] });
  });

  it('keeps one log per page and fixed window', () => {
    expect(capWindow(new Date(3_600_000 * 5 + 1), 60)).toBe(5);
    expect(contactLogIdOf('c-1/o/0', 60, 5)).toBe('c-1/o/0:60m:5');
  });
});
