import mongoose, { type Connection, type mongo } from 'mongoose';
import { createLogger, EventPublisher, loadConfig, PiiVault, type NatsConnection, type ServiceContext } from '@lifeline/platform';
import { PersonnelEnv, type PersonnelConfig } from '../../src/config';
import { openDesks, type Desks } from '../../src/nats';

/** A personnel replica inside the test process: its own store connection (commands observed) over the stack's store and NATS. */
export interface LocalReplica extends Desks {
  ctx: ServiceContext<PersonnelConfig>;
  /** Every store command sent since the last `reset`, by name (`find`, `insert`, `update`, `findAndModify`, `delete`). */
  commands: () => string[];
  reset: () => void;
  close: () => Promise<void>;
}

export async function localReplica(nc: NatsConnection, name: string, wrap: (ctx: ServiceContext<PersonnelConfig>) => ServiceContext<PersonnelConfig> = (c) => c): Promise<LocalReplica> {
  const config = loadConfig(PersonnelEnv, process.env);
  const db: Connection = mongoose.createConnection(config.MONGO_URL, { dbName: 'lifeline_personnel', monitorCommands: true });
  await db.asPromise();
  let seen: string[] = [];
  db.getClient().on('commandStarted', (e: mongo.CommandStartedEvent) => seen.push(e.commandName));
  const ctx = wrap({ name, config, log: createLogger(name, 'warn'), nc, db, events: new EventPublisher(nc), vault: new PiiVault(config.LIFELINE_PII_KEY) });
  const desks = openDesks(ctx);
  await Promise.all(Object.values(db.models).map((m) => m.init()));
  return {
    ...desks,
    ctx,
    commands: () => [...seen],
    reset: () => {
      seen = [];
    },
    close: async () => {
      await desks.desk.drain();
      await db.close();
    },
  };
}
