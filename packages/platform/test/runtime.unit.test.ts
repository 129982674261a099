import { z } from 'zod';
import { LifelineError, notification } from '@lifeline/contracts';
import { ServiceEnv } from '../src/config';
import { databaseOf, serviceConfig, unknownSettings, type ServiceContext } from '../src/runtime';
import { servedEndpoints } from '../src/serve';

const KEY = 'ab'.repeat(32);
const DepotEnv = ServiceEnv.extend({ DEPOT_LOT_ATTEMPTS: z.coerce.number().int().min(1).default(200) });

function refusal(env: NodeJS.ProcessEnv): LifelineError {
  try {
    serviceConfig('depot', DepotEnv, env);
  } catch (err) {
    if (err instanceof LifelineError) return err;
    throw err;
  }
  throw new Error('configuration was accepted');
}

describe('a service configuration', () => {
  it('is parsed once with the service schema: its own settings typed and coerced, the platform defaults filled in', () => {
    const config = serviceConfig('depot', DepotEnv, { LIFELINE_PII_KEY: KEY, DEPOT_LOT_ATTEMPTS: '7', HTTP_PORT: '9001' });
    expect(config).toMatchObject({ DEPOT_LOT_ATTEMPTS: 7, HTTP_PORT: 9001, MONGO_URL: 'mongodb://127.0.0.1:27017', HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'info' });
  });

  it('refuses an invalid value with a structured error naming the service and the variable', () => {
    const err = refusal({ LIFELINE_PII_KEY: KEY, DEPOT_LOT_ATTEMPTS: '0' });
    expect(err.code).toBe('invalid_request');
    expect(err.message).toBe('invalid configuration for depot');
    expect(JSON.stringify(err.details)).toContain('DEPOT_LOT_ATTEMPTS');
  });

  it('refuses a service without a well-formed PII key, so personal data can always be sealed', () => {
    expect(JSON.stringify(refusal({}).details)).toContain('LIFELINE_PII_KEY');
    expect(JSON.stringify(refusal({ LIFELINE_PII_KEY: 'short' }).details)).toContain('64 hex characters');
  });

  it("names variables that look like the service's own but that its schema does not declare (a typo falls back to a default otherwise)", () => {
    const env = { DEPOT_LOT_ATTEMPT: '5', DEPOT_LOT_ATTEMPTS: '5', PATH: '/bin', SUPPLIES_X: '1' };
    expect(unknownSettings('depot', DepotEnv, env)).toEqual(['DEPOT_LOT_ATTEMPT']);
    expect(unknownSettings('command-center', DepotEnv, { COMMAND_CENTER_PORT: '1' })).toEqual(['COMMAND_CENTER_PORT']);
  });

  it('gives every service its own database, named after it', () => {
    expect(databaseOf('command-center')).toBe('lifeline_command_center');
    expect(databaseOf('supplies')).toBe('lifeline_supplies');
  });
});

describe('the context a build receives', () => {
  it('has a vault only when its config carries a PII key (checked by the compiler)', () => {
    type WithKey = ServiceContext<z.infer<typeof DepotEnv>>;
    type WithoutKey = ServiceContext<{ NATS_URL: string; LOG_LEVEL: 'info'; LIFELINE_SANDBOX: boolean; MONGO_URL: string; HTTP_HOST: string }>;
    const vaultOf = (ctx: WithKey) => ctx.vault;
    // @ts-expect-error a process without LIFELINE_PII_KEY (the command-center) has no vault to seal with
    const noVault = (ctx: WithoutKey) => ctx.vault;
    expect([typeof vaultOf, typeof noVault]).toEqual(['function', 'function']);
  });
});

describe('test and drill controls', () => {
  const env = { LIFELINE_PII_KEY: 'a'.repeat(64) };

  it('are served only on a sandbox stack: the simulator has no responder on a production-shaped one', () => {
    expect(servedEndpoints(notification, true)).toContain('simulator');
    expect(servedEndpoints(notification, false)).not.toContain('simulator');
    expect(servedEndpoints(notification, false)).toEqual(Object.keys(notification).filter((key) => key !== 'simulator'));
  });

  it('a stack is a sandbox only when it says so', () => {
    expect(serviceConfig('notification', ServiceEnv, env).LIFELINE_SANDBOX).toBe(false);
    expect(serviceConfig('notification', ServiceEnv, { ...env, LIFELINE_SANDBOX: 'true' }).LIFELINE_SANDBOX).toBe(true);
    expect(serviceConfig('notification', ServiceEnv, { ...env, LIFELINE_SANDBOX: 'false' }).LIFELINE_SANDBOX).toBe(false);
    expect(() => serviceConfig('notification', ServiceEnv, { ...env, LIFELINE_SANDBOX: 'maybe' })).toThrow(LifelineError);
  });
});
