import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { LifelineError } from '@lifeline/contracts';
import { isDuplicateKey, type ServiceContext } from '@lifeline/platform';
import { seedLeaseModel } from './model/audience';

/** A seeding round of one community takes seconds; a lease left by a crashed process is taken over after this. */
const LEASE_MS = 120_000;
/** How long a round waits for another process's round of the same community before giving up. */
const WAIT_MS = 150_000;

/**
 * Mutual exclusion of seeding rounds per community across processes: a round writes the community's pages and index
 * with plain `{_id}` updates while it holds the lease. Within a process the rounds of a community are queued, so
 * the lease is only ever contended between replicas. (A conditional update per page instead would scan the page
 * collection on our store: only an exact `{_id}` filter uses its index.)
 */
export function seedLeases(ctx: ServiceContext) {
  const Leases = seedLeaseModel(ctx.db);
  const processTag = randomBytes(6).toString('base64url');
  let rounds = 0;

  async function acquire(communityId: string): Promise<string> {
    const holder = `${processTag}:${++rounds}`;
    const deadline = Date.now() + WAIT_MS;
    for (let wait = 50; ; wait = Math.min(1000, wait * 2)) {
      const expiresAt = new Date(Date.now() + LEASE_MS);
      try {
        await Leases.collection.insertOne({ _id: communityId, holder, expiresAt } as never);
        return holder;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      const held = await Leases.findById(communityId).lean();
      if (held && held.expiresAt.getTime() < Date.now()) {
        const taken = await Leases.collection.updateOne({ _id: communityId, holder: held.holder } as never, { $set: { holder, expiresAt } });
        if (taken.modifiedCount === 1) {
          ctx.log.warn({ communityId, expired: held.holder }, 'seeding lease of a stopped round taken over');
          return holder;
        }
      }
      if (Date.now() > deadline) throw new LifelineError('unavailable', `community ${communityId} is being seeded by another process; try again`);
      await sleep(wait);
    }
  }

  return {
    async withLease<T>(communityId: string, round: () => Promise<T>): Promise<T> {
      const holder = await acquire(communityId);
      try {
        return await round();
      } finally {
        await Leases.collection.deleteOne({ _id: communityId, holder } as never);
      }
    },
  };
}
