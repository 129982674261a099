import type { z } from 'zod';
import { LifelineError, notificationEvents, type notificationContract } from '@lifeline/contracts';
import { isDuplicateKey, type ServiceContext } from '@lifeline/platform';
import { idFromKey } from '@lifeline/platform/ids';
import type { broadcasts } from './broadcast';
import { bulletinModel, subscriptionModel, type BulletinDoc } from './model/bulletin';
import { residentModel } from './model/resident';

type BulletinRequest = z.infer<typeof notificationContract.BulletinRequest>;
type Bulletin = z.infer<typeof notificationContract.Bulletin>;

const toBulletin = (b: BulletinDoc): Bulletin => ({ bulletinId: b._id, incidentId: b.incidentId, communityId: b.communityId, kind: b.kind, jobId: b.jobId, subscribers: b.subscribers });

/** A rebuttal quotes the rumour before the official word. */
export function bulletinText(req: Pick<BulletinRequest, 'kind' | 'message' | 'rumour'>): { zh: string; en: string } {
  if (req.kind !== 'rumour-rebuttal' || !req.rumour) return { zh: `【官方通报】${req.message.zh}`, en: `[Official update] ${req.message.en}` };
  return { zh: `【辟谣】网传"${req.rumour.zh}"不实。${req.message.zh}`, en: `[Rumour rebuttal] "${req.rumour.en}" is false. ${req.message.en}` };
}

/**
 * Official bulletins and rumour rebuttals linked to an incident, pushed to the subscribers of an area through an
 * ordinary broadcast job (one per bulletin key; the job's step is the bulletin, so nobody gets it twice).
 */
export function bulletins(ctx: ServiceContext, broadcast: ReturnType<typeof broadcasts>) {
  const Subscriptions = subscriptionModel(ctx.db);
  const Bulletins = bulletinModel(ctx.db);
  const Residents = residentModel(ctx.db);

  return {
    async subscribe(req: z.infer<typeof notificationContract.SubscribeRequest>) {
      const resident = await Residents.findById(req.residentId, { communityId: 1 }).lean();
      if (!resident) throw new LifelineError('not_found', `no resident ${req.residentId}`, [{ path: 'residentId', message: 'unknown resident' }]);
      const _id = `${req.communityId}:${req.residentId}`;
      await Subscriptions.collection.replaceOne({ _id } as never, { _id, communityId: req.communityId, residentId: req.residentId, subscribed: req.subscribed, updatedAt: new Date() } as never, { upsert: true });
      return { residentId: req.residentId, communityId: req.communityId, subscribed: req.subscribed };
    },

    async publish(req: BulletinRequest): Promise<Bulletin> {
      if (req.kind === 'rumour-rebuttal' && !req.rumour) throw new LifelineError('invalid_request', 'a rumour rebuttal quotes the rumour', [{ path: 'rumour', message: 'required for kind rumour-rebuttal' }]);
      const known = await Bulletins.findOne({ idempotencyKey: req.idempotencyKey }).lean();
      if (known) return toBulletin(known);
      const subscribers = new Set((await Subscriptions.find({ communityId: req.communityId, subscribed: true }, { residentId: 1 }).lean()).map((s) => s.residentId));
      const bulletinId = idFromKey('bltn', req.idempotencyKey, 20);
      const job = await broadcast.start(
        {
          idempotencyKey: `${req.idempotencyKey}:push`,
          incidentId: req.incidentId,
          stepId: bulletinId,
          communityId: req.communityId,
          audience: { groups: ['everyone'] },
          channels: req.channels,
          message: bulletinText(req),
          severity: req.severity,
          drill: req.drill,
        },
        { only: subscribers },
      );
      const doc: BulletinDoc = { _id: bulletinId, idempotencyKey: req.idempotencyKey, incidentId: req.incidentId, communityId: req.communityId, kind: req.kind, jobId: job.jobId, subscribers: job.total, createdAt: new Date() };
      try {
        await Bulletins.collection.insertOne(doc as never);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      const bulletin = toBulletin(doc);
      await ctx.events.publish(notificationEvents.bulletinPublished, `${bulletinId}:published`, bulletin, req.incidentId);
      return bulletin;
    },
  };
}
