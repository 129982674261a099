import { jetstreamManager, RetentionPolicy, StorageType, type StreamConfig } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/nats-core';
import { STREAMS } from '@lifeline/contracts';

const DAY_NS = nanos(24 * 3600 * 1000);

/**
 * Create or update Lifeline's JetStream streams (needs a user allowed to manage streams). `replicas` is the
 * JetStream replication factor: 1 on a single server, 3 on the production cluster (survives one node down).
 */
export async function ensureStreams(nc: NatsConnection, opts: { replicas?: number } = {}): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const s of Object.values(STREAMS)) {
    const config: Partial<StreamConfig> & { name: string } = {
      name: s.name,
      subjects: [...s.subjects],
      retention: s.retention === 'workqueue' ? RetentionPolicy.Workqueue : RetentionPolicy.Limits,
      storage: StorageType.File,
      max_age: s.maxAgeDays * DAY_NS,
      duplicate_window: nanos(s.duplicateWindowSeconds * 1000),
      num_replicas: opts.replicas ?? 1,
    };
    const exists = await jsm.streams.info(s.name).then(
      () => true,
      () => false,
    );
    if (exists) await jsm.streams.update(s.name, config);
    else await jsm.streams.add(config);
  }
}
