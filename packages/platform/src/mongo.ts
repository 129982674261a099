import mongoose, { type Connection } from 'mongoose';
import { instrumentMongoose } from './telemetry-store';

/** The one store connection helper: each service owns its own database on the MongoDB-protocol store. */
export async function connectMongo(url: string, dbName: string): Promise<Connection> {
  instrumentMongoose();
  const conn = mongoose.createConnection(url, { dbName, serverSelectionTimeoutMS: 10_000, autoIndex: true });
  await conn.asPromise();
  return conn;
}

/** True when an error is a unique-index violation (E11000), the basis of idempotency and no-oversell. */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: number }).code === 11000;
}
