import type { StackEndpoints } from '@lifeline/local-stack';

/** The environment variables through which integration tests find the running stack (admin NATS credentials). */
export function stackEnv(endpoints: StackEndpoints): Record<string, string> {
  return {
    NATS_URL: endpoints.natsUrl,
    NATS_USER: 'admin',
    NATS_PASSWORD: endpoints.secrets.nats.admin,
    NATS_MONITOR_URL: endpoints.natsMonitorUrl,
    MONGO_URL: endpoints.mongoUrl,
    TEMPORAL_ADDRESS: endpoints.temporalAddress,
    TEMPORAL_NAMESPACE: endpoints.temporalNamespace,
    LIFELINE_HTTP_URL: endpoints.httpUrl,
    LIFELINE_TOKEN_SECRET: endpoints.secrets.tokenSecret,
    LIFELINE_PII_KEY: endpoints.secrets.piiKey,
  };
}

/** Inside a test: the stack's endpoints as exported by global setup. Fails clearly outside the integration project. */
export function testStack() {
  const need = (name: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: run this test in jest's integration project (its global setup starts the stack)`);
    return value;
  };
  return {
    natsUrl: need('NATS_URL'),
    natsUser: need('NATS_USER'),
    natsPassword: need('NATS_PASSWORD'),
    natsMonitorUrl: need('NATS_MONITOR_URL'),
    mongoUrl: need('MONGO_URL'),
    temporalAddress: need('TEMPORAL_ADDRESS'),
    temporalNamespace: need('TEMPORAL_NAMESPACE'),
    httpUrl: need('LIFELINE_HTTP_URL'),
    tokenSecret: need('LIFELINE_TOKEN_SECRET'),
    piiKey: need('LIFELINE_PII_KEY'),
  };
}
