import type { Connection } from 'mongoose';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Server } from 'node:http';
import type { Express } from 'express';
import { z } from 'zod';
import { LifelineError, type Endpoint } from '@lifeline/contracts';
import { loadConfig, type BaseEnv, type ServiceEnv } from './config';
import { createLogger, type Logger } from './logger';
import { connectMongo } from './mongo';
import { connectNats, EventPublisher } from './nats';
import { PiiVault } from './pii';
import { serveEndpoints, type Handlers } from './serve';
import { createHttpApp, finishHttpApp, listen } from './http';
import { registerHealth, type HealthChecks } from './health';
import { stopTelemetry } from './telemetry';

/**
 * The least the runtime reads from a process's environment: NATS, the store, an optional HTTP port. `ServiceEnv`
 * adds the PII key every service needs; the command-center adds it too (it seals its audit log's subjects and details).
 */
export type RuntimeEnv = z.infer<typeof BaseEnv> & { MONGO_URL: string; HTTP_PORT?: number; HTTP_HOST: string; LIFELINE_PII_KEY?: string };

/** A vault only where the config carries a key, so a process without one cannot seal by mistake (compile error). */
type VaultOf<C> = C extends { LIFELINE_PII_KEY: string } ? { vault: PiiVault } : unknown;

/** What a service's `build` receives: its own parsed config, logger, connections, event publisher and vault. */
export type ServiceContext<C extends RuntimeEnv = ServiceEnv> = {
  name: string;
  config: C;
  log: Logger;
  nc: NatsConnection;
  db: Connection;
  events: EventPublisher;
} & VaultOf<C>;

/** Everything a service is, built once from its context. */
export interface BuiltService<T extends Record<string, Endpoint>> {
  handlers: Handlers<T>;
  /** HTTP routes (read-only admin API); the runtime adds `/healthz`, `/readyz` and the error handler around them. */
  routes?(app: Express): void;
  /** Work started after the endpoints answer (consumers, sweepers); returns its stop function. */
  background?(): Promise<() => Promise<void>>;
  /** Readiness checks beyond NATS and the store (a Temporal connection). */
  health?: HealthChecks;
  /** Resources `build` opened that outlive the endpoints; closed after NATS drains, before the store. */
  dispose?(): Promise<void>;
}

export interface ServiceDefinition<T extends Record<string, Endpoint>, S extends z.ZodType<RuntimeEnv>> {
  name: string;
  description: string;
  /** The contract's endpoints; `{}` for a process that answers only HTTP (no NATS service is registered then). */
  endpoints: T;
  /** The process's zod env schema, usually `ServiceEnv.extend({...})`; parsed once, handed to `build` as `ctx.config`. */
  config: S;
  build(ctx: ServiceContext<z.infer<S>>): BuiltService<T> | Promise<BuiltService<T>>;
}

/** The store database a service owns: `lifeline_<name>` with dashes as underscores. */
export const databaseOf = (name: string) => `lifeline_${name.replace(/-/g, '_')}`;

/** Parse a service's environment with its schema; a bad value stops the process before it connects to anything. */
export function serviceConfig<S extends z.ZodType<RuntimeEnv>>(name: string, schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  try {
    return loadConfig(schema, env);
  } catch (err) {
    if (err instanceof LifelineError) throw new LifelineError(err.code, `invalid configuration for ${name}`, err.details);
    throw err;
  }
}

/**
 * Variables named like this service's own (`SUPPLIES_…` for supplies) that its schema does not declare: most likely a
 * typo that would otherwise silently fall back to a default. Only warned about, since one environment is often shared
 * by every process and by tests.
 */
export function unknownSettings(name: string, schema: z.ZodType, env: NodeJS.ProcessEnv = process.env): string[] {
  if (!(schema instanceof z.ZodObject)) return [];
  const prefix = `${name.replace(/-/g, '_').toUpperCase()}_`;
  const known = new Set(Object.keys(schema.shape));
  return Object.keys(env).filter((key) => key.startsWith(prefix) && !known.has(key)).sort();
}

/**
 * Boot a service the same way everywhere: config → store → NATS → build → indexes → endpoints → background → HTTP;
 * on SIGTERM/SIGINT stop HTTP, background, endpoints, drain NATS, dispose, close the store, flush telemetry.
 */
export async function runService<T extends Record<string, Endpoint>, S extends z.ZodType<RuntimeEnv>>(def: ServiceDefinition<T, S>): Promise<ServiceContext<z.infer<S>>> {
  const config = serviceConfig(def.name, def.config);
  const log = createLogger(def.name, config.LOG_LEVEL);
  const unknown = unknownSettings(def.name, def.config);
  if (unknown.length) log.warn({ unknown }, `environment names ${def.name} settings it does not have`);
  const db = await connectMongo(config.MONGO_URL, databaseOf(def.name));
  const nc = await connectNats(config, def.name);
  const vault = config.LIFELINE_PII_KEY === undefined ? {} : { vault: new PiiVault(config.LIFELINE_PII_KEY) };
  const ctx = { name: def.name, config, log, nc, db, events: new EventPublisher(nc), ...vault } as ServiceContext<z.infer<S>>;
  const built = await def.build(ctx);
  await Promise.all(Object.values(db.models).map((m) => m.init()));
  const service = Object.keys(def.endpoints).length ? await serveEndpoints(nc, { name: def.name, version: '0.1.0', description: def.description }, def.endpoints, built.handlers, log, { sandbox: config.LIFELINE_SANDBOX }) : undefined;
  const stopBackground = built.background ? await built.background() : async () => {};
  const server = config.HTTP_PORT === undefined ? undefined : await serveHttp(built, config.HTTP_PORT, config.HTTP_HOST, { nc, db, log });
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'stopping');
    server?.close();
    await stopBackground();
    await service?.stop();
    await nc.drain();
    await built.dispose?.();
    await db.close();
    await stopTelemetry();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  log.info({ endpoints: Object.keys(def.endpoints).length, sandbox: config.LIFELINE_SANDBOX, httpPort: config.HTTP_PORT }, `${def.name} ready`);
  return ctx;
}

async function serveHttp(built: Pick<BuiltService<never>, 'routes' | 'health'>, port: number, host: string, deps: { nc: NatsConnection; db: Connection; log: Logger }): Promise<Server> {
  const app = createHttpApp();
  registerHealth(app, { nats: async () => !deps.nc.isClosed(), store: () => deps.db.db!.admin().ping().then(() => true), ...built.health });
  built.routes?.(app);
  finishHttpApp(app, deps.log);
  return listen(app, port, host);
}
