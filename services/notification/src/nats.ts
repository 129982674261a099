import { LifelineError, notification } from '@lifeline/contracts';
import type { Handlers, ServiceContext } from '@lifeline/platform';
import { toBroadcastJob } from './broadcast';
import { capAlert } from './domain/cap';
import { summarise } from './domain/summary';
import { bulletinModel } from './model/bulletin';
import { caseModel } from './model/case';
import { directModel } from './model/direct';
import { SIMULATOR_SETTINGS_ID, simulatorSettingsModel } from './model/gateway';
import { jobModel } from './model/job';
import { replyModel } from './model/reply';
import type { NotificationParts } from './parts';
import { jobProgress } from './progress';
import { residentRegistry } from './registry';
import { DOOR_KNOCKS } from './unconfirmed';

export function createHandlers(ctx: ServiceContext, parts: NotificationParts): Handlers<typeof notification> {
  const registry = residentRegistry(ctx);
  const Jobs = jobModel(ctx.db);
  const Direct = directModel(ctx.db);
  const progress = jobProgress(ctx);

  async function findJob(jobId: string) {
    const job = await Jobs.findById(jobId).lean();
    if (!job) throw new LifelineError('not_found', `no broadcast job ${jobId}`);
    return job;
  }

  return {
    async seed({ residents }) {
      return { residents: await registry.seed(residents) };
    },
    broadcast: (req) => parts.broadcast.start(req),
    job: async ({ jobId }) => toBroadcastJob(await progress.one(await findJob(jobId))),
    async jobs({ jobIds }) {
      const found = new Map((await Jobs.find({ _id: { $in: [...new Set(jobIds)] } }).lean()).map((j) => [j._id, j]));
      const missing = jobIds.filter((id) => !found.has(id));
      if (missing.length > 0) throw new LifelineError('not_found', `no broadcast job ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` (and ${missing.length - 5} more)` : ''}`, { missing });
      const current = new Map((await progress.current([...found.values()])).map((j) => [j._id, j]));
      return { jobs: jobIds.map((id) => toBroadcastJob(current.get(id)!)) };
    },
    direct: (req) => parts.direct.send(req),
    async summary({ incidentId }) {
      const [jobs, directCount, replies, cases, doorKnocks, bulletins] = await Promise.all([
        Jobs.find({ incidentId }).lean(),
        Direct.countDocuments({ incidentId, purpose: { $ne: 'case-answer' } }),
        replyModel(ctx.db).find({ incidentId }, { kind: 1 }).lean(),
        caseModel(ctx.db).find({ incidentId }, { status: 1, openedAt: 1, closedAt: 1 }).lean(),
        ctx.db.collection(DOOR_KNOCKS).countDocuments({ incidentId }),
        bulletinModel(ctx.db).countDocuments({ incidentId }),
      ]);
      return summarise(incidentId, await progress.current(jobs), directCount, { replies, cases, doorKnocks, bulletins });
    },
    reply: (req) => parts.replies.reply(req),
    case: ({ caseId }) => parts.replies.find(caseId),
    async cap({ jobId }) {
      const job = await findJob(jobId);
      return capAlert({ ...job, jobId: job._id, audience: { groups: job.groups, gridIds: job.gridIds, buildingIds: job.buildingIds } });
    },
    bulletin: (req) => parts.bulletins.publish(req),
    subscribe: (req) => parts.bulletins.subscribe(req),
    predict: (req) => parts.broadcast.predict(req),
    /** A plan's dry run: `predict` per audience, a few at a time; an audience a broadcast would refuse is answered as refused. */
    async preview({ audiences }) {
      const predictions: Awaited<ReturnType<Handlers<typeof notification>['preview']>>['predictions'] = new Array(audiences.length);
      let next = 0;
      const lane = async () => {
        for (let i = next++; i < audiences.length; i = next++) {
          const a = audiences[i]!;
          try {
            predictions[i] = { communityId: a.communityId, ...(await parts.broadcast.predict(a)) };
          } catch (err) {
            if (!(err instanceof LifelineError)) throw err;
            predictions[i] = { communityId: a.communityId, recipients: 0, vulnerable: 0, predictedSeconds: 0, ratePerSecond: 1, refused: { code: err.code, message: err.message } };
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(8, audiences.length) }, lane));
      return { predictions };
    },
    delivery: (req) => parts.deliveries.lookup(req),
    escalateUnconfirmed: (req) => parts.unconfirmed.escalate(req),
    async simulator(settings) {
      if (!parts.channels.gateway.simulated) throw new LifelineError('forbidden', 'a live gateway is wired; the simulator cannot be set');
      await simulatorSettingsModel(ctx.db).collection.replaceOne({ _id: SIMULATOR_SETTINGS_ID } as never, { _id: SIMULATOR_SETTINGS_ID, settings, updatedAt: new Date() } as never, { upsert: true });
      return { applied: true };
    },
  };
}
