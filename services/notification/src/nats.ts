import { LifelineError, notification } from '@lifeline/contracts';
import type { Handlers, ServiceContext } from '@lifeline/platform';
import { broadcasts, toBroadcastJob } from './broadcast';
import { createGateways } from './channels';
import { loadNotificationConfig } from './config';
import { directMessages } from './direct';
import { summarise } from './domain/summary';
import { directModel } from './model/direct';
import { jobModel } from './model/job';
import { jobProgress } from './progress';
import { residentRegistry } from './registry';

export async function createHandlers(ctx: ServiceContext): Promise<Handlers<typeof notification>> {
  const config = loadNotificationConfig();
  const registry = residentRegistry(ctx);
  const broadcast = broadcasts(ctx, config.BROADCAST_BATCH_SIZE);
  const direct = directMessages(ctx, createGateways({ failureRate: config.NOTIFY_SIM_FAILURE_RATE, delayMs: config.NOTIFY_SIM_DELAY_MS }));
  const Jobs = jobModel(ctx.db);
  const Direct = directModel(ctx.db);
  const progress = jobProgress(ctx);
  return {
    async seed({ residents }) {
      return { residents: await registry.seed(residents) };
    },
    broadcast: (req) => broadcast.start(req),
    async job({ jobId }) {
      const job = await Jobs.findById(jobId).lean();
      if (!job) throw new LifelineError('not_found', `no broadcast job ${jobId}`);
      return toBroadcastJob(await progress.one(job));
    },
    direct: (req) => direct.send(req),
    async summary({ incidentId }) {
      const [jobs, directCount] = await Promise.all([Jobs.find({ incidentId }).lean(), Direct.countDocuments({ incidentId })]);
      return summarise(incidentId, await progress.current(jobs), directCount);
    },
  };
}
