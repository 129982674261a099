import { unlessCancelled } from '../activity-options';
import { summaries } from '../domain/summaries';
import { closeSites } from '../steps/open-site';
import type { CommunityRun } from './run';

/** Words residents receive when an incident is stood down. */
const ALL_CLEAR = {
  zh: '【社区应急】应急响应已解除，感谢各位居民配合。如有需要请联系社区。',
  en: '[Community emergency] The emergency response has been stood down. Thank you. Contact your community if you need help.',
};

/** Undo what this community still holds: release reserved stock, return issued stock, tell residents it is over. */
export async function standDown(run: CommunityRun) {
  const { context, state, commands } = run;
  for (const reservation of state.reservations) {
    const body = { idempotencyKey: run.key('stand-down', reservation.stepId), reservationId: reservation.reservationId, reason: 'incident stood down' };
    try {
      const said = (action: 'release' | 'return') => summaries.reservation('stand-down', action, reservation.units, reservation.stepId, state.communityId);
      if (reservation.status === 'reserved') {
        reservation.status = (await commands.releaseSupplies(said('release'), body)).status;
      } else if (reservation.status === 'issued') {
        reservation.status = (await commands.returnSupplies(said('return'), body)).status;
        state.figures.supplies.returned += reservation.units;
      }
    } catch (err) {
      run.note('stand-down', `could not undo reservation from ${reservation.stepId} (${unlessCancelled(err)})`, 'stand-down');
    }
  }
  for (const task of state.tasks) if (task.status === 'assigned' || task.status === 'acknowledged') task.status = 'stood-down';
  await closeSites(run, 'stand-down-close-sites', 'stand-down');
  const stepId = 'stand-down-all-clear';
  const audience = { groups: ['everyone' as const] };
  const channels = ['sms' as const, 'app-push' as const];
  try {
    const job = await commands.broadcast(summaries.broadcast(stepId, state, audience.groups, channels, context.drill), {
      idempotencyKey: run.key(stepId),
      incidentId: context.incidentId,
      stepId,
      communityId: state.communityId,
      audience,
      channels,
      message: ALL_CLEAR,
      severity: context.severity,
      drill: context.drill,
    });
    state.figures.notification.jobs++;
    run.recordBroadcast(job);
  } catch (err) {
    run.note(stepId, `all-clear broadcast failed (${unlessCancelled(err)})`, 'stand-down');
  }
}
