import type { personnel } from '@lifeline/contracts';
import type { Handlers, ServiceContext } from '@lifeline/platform';
import { claimModel } from './model/claim';
import { orgUnitModel } from './model/org-unit';
import { personModel } from './model/person';
import { standDownModel } from './model/stand-down';
import { taskModel } from './model/task';
import { Roster } from './roster';
import { TaskDesk } from './tasks';

const desks = new WeakMap<ServiceContext, { roster: Roster; desk: TaskDesk }>();

/** The roster and the task desk over this service's own database: one per service, shared by endpoints, drill responders and HTTP. */
export function createDesk(ctx: ServiceContext): { roster: Roster; desk: TaskDesk } {
  let made = desks.get(ctx);
  if (!made) {
    const roster = new Roster(orgUnitModel(ctx.db), personModel(ctx.db), claimModel(ctx.db), ctx.vault);
    made = { roster, desk: new TaskDesk(ctx, roster, taskModel(ctx.db), standDownModel(ctx.db)) };
    desks.set(ctx, made);
  }
  return made;
}

/** One handler per `personnel` endpoint; requests arrive validated by the runtime. */
export async function createHandlers(ctx: ServiceContext): Promise<Handlers<typeof personnel>> {
  const { roster, desk } = createDesk(ctx);
  return {
    seed: (r) => roster.seed(r),
    resolveArea: (r) => roster.resolveArea(r.area),
    dispatch: (r) => desk.dispatch(r),
    fallback: (r) => desk.fallback(r),
    acknowledge: (r) => desk.acknowledge(r.taskId, r.personId),
    complete: (r) => desk.complete(r.taskId, r.personId, r.hours),
    standDown: (r) => desk.standDown(r.idempotencyKey, r.incidentId),
    summary: (r) => desk.summary(r.incidentId),
  };
}
