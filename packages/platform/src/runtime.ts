import type { Connection } from 'mongoose';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Server } from 'node:http';
import type { Express } from 'express';
import type { Endpoint } from '@lifeline/contracts';
import { loadConfig, ServiceEnv } from './config';
import { createLogger, type Logger } from './logger';
import { connectMongo } from './mongo';
import { connectNats, EventPublisher } from './nats';
import { PiiVault } from './pii';
import { serveEndpoints, type Handlers } from './serve';
import { createHttpApp, finishHttpApp, listen } from './http';
import { registerHealth } from './health';
import { stopTelemetry } from './telemetry';

/** What every service's wiring receives: its config, logger, connections and vault. */
export interface ServiceContext {
  name: string;
  config: ServiceEnv;
  log: Logger;
  nc: NatsConnection;
  db: Connection;
  events: EventPublisher;
  vault: PiiVault;
}

export interface ServiceDefinition<T extends Record<string, Endpoint>> {
  name: string;
  description: string;
  endpoints: T;
  /** Build handlers (and anything else: indexes, consumers) from the context. */
  handlers(ctx: ServiceContext): Promise<Handlers<T>>;
  /** Read-only admin API routes. */
  http?(app: Express, ctx: ServiceContext): void;
  /** Background work started after the endpoints (consumers); returns a stop function. */
  background?(ctx: ServiceContext): Promise<() => Promise<void>>;
}

/** Boot a service the same way everywhere: config → store → NATS → endpoints → HTTP; drain on SIGTERM/SIGINT. */
export async function runService<T extends Record<string, Endpoint>>(def: ServiceDefinition<T>): Promise<ServiceContext> {
  const config = loadConfig(ServiceEnv);
  const log = createLogger(def.name, config.LOG_LEVEL);
  const db = await connectMongo(config.MONGO_URL, `lifeline_${def.name.replace(/-/g, '_')}`);
  const nc = await connectNats(config, def.name);
  const ctx: ServiceContext = { name: def.name, config, log, nc, db, events: new EventPublisher(nc), vault: new PiiVault(config.LIFELINE_PII_KEY) };
  const handlers = await def.handlers(ctx);
  await Promise.all(Object.values(db.models).map((m) => m.init()));
  const service = await serveEndpoints(nc, { name: def.name, version: '0.1.0', description: def.description }, def.endpoints, handlers, log);
  const stopBackground = def.background ? await def.background(ctx) : async () => {};
  let server: Server | undefined;
  if (config.HTTP_PORT !== undefined) {
    const app = createHttpApp();
    registerHealth(app, { nats: async () => !nc.isClosed(), store: () => db.db!.admin().ping().then(() => true) });
    def.http?.(app, ctx);
    finishHttpApp(app, log);
    server = await listen(app, config.HTTP_PORT, config.HTTP_HOST);
  }
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'stopping');
    server?.close();
    await stopBackground();
    await service.stop();
    await nc.drain();
    await db.close();
    await stopTelemetry();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  log.info({ endpoints: Object.keys(def.endpoints).length, httpPort: config.HTTP_PORT }, `${def.name} ready`);
  return ctx;
}
