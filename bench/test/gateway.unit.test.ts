import { gatewayOrder, type GatewayCall } from '../lib/gateway';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const call = (s: number, ...ids: string[]): GatewayCall => ({ at: at(s), messages: [{ residentIds: ids }] });
const vulnerable = (id: string) => id.startsWith('v');

describe('what the gateway saw of a broadcast', () => {
  it('finds the last message and no duplicates when each resident got one', () => {
    const order = gatewayOrder([call(1, 'v1', 'v2'), call(2, 'a1'), call(3, 'a2')], vulnerable);
    expect(order).toMatchObject({ transmissions: 4, residents: 4, duplicates: 0, vulnerableFirst: true, vulnerableShareFirst: 1 });
    expect(order.lastAt).toEqual(at(3));
  });

  it('counts a second transmission to the same resident as a duplicate', () => {
    expect(gatewayOrder([call(1, 'a1', 'a2'), call(2, 'a1')], vulnerable).duplicates).toBe(1);
  });

  it('is not vulnerable-first when a vulnerable resident was reached after someone else, and says how many were first', () => {
    const order = gatewayOrder([call(1, 'v1'), call(2, 'a1'), call(3, 'v2')], vulnerable);
    expect(order.vulnerableFirst).toBe(false);
    expect(order.vulnerableShareFirst).toBe(0.5);
  });

  it('reads calls that store their recipients flattened as well as per transmission', () => {
    const flat: GatewayCall = { at: at(2), residentIds: ['a1', 'v1'] };
    expect(gatewayOrder([call(1, 'v1'), flat], vulnerable)).toMatchObject({ transmissions: 3, residents: 2, duplicates: 1 });
  });

  it('a vulnerable resident in the same call as the first other resident still counts as first', () => {
    expect(gatewayOrder([call(1, 'v1', 'a1')], vulnerable).vulnerableFirst).toBe(true);
  });
});
