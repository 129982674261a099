import type { StepOf } from '@lifeline/contracts';
import { uninterrupted, type CommunityRun } from '../community/run';
import { reserveQuantities } from '../domain/quantities';
import { summaries } from '../domain/summaries';

/**
 * `reserve` reserves what the community's population needs at this severity; `issue` hands out what mobilize
 * reserved; `return` brings back what respond issued: one reservation, three moments.
 */
export async function reserve(run: CommunityRun, step: StepOf<'reserve'>) {
  const { context, state } = run;
  if (step.action === 'reserve') {
    const lines = reserveQuantities(step.items, state.population, context.severity, context.severityScaling);
    if (lines.length === 0) return run.note(step.id, 'nothing to reserve at this population and severity');
    const r = await uninterrupted(() =>
      run.commands.reserveSupplies(summaries.reserve(step.id, state, lines, context.severity), { idempotencyKey: run.key(step.id), stepId: step.id, incidentId: context.incidentId, communityId: state.communityId, lines, drill: context.drill }),
    );
    state.reservations.push({ stepId: step.id, reservationId: r.reservationId, status: r.status, units: r.units });
    state.figures.supplies.reserved += r.units;
    state.figures.supplies.shortfall += r.shortfall;
    if (r.shortfall > 0) run.note(step.id, `short by ${r.shortfall} unit(s)`);
    return;
  }
  const from = step.action === 'issue' ? 'reserved' : 'issued';
  const pending = state.reservations.filter((r) => r.status === from);
  if (pending.length === 0) return run.note(step.id, `no ${from} supplies to ${step.action}`);
  for (const reservation of pending) {
    const body = { idempotencyKey: run.key(step.id, reservation.stepId), reservationId: reservation.reservationId, reason: step.title.en };
    const summary = summaries.reservation(step.id, step.action, reservation.units, reservation.stepId, state.communityId);
    const r = await uninterrupted(() => (step.action === 'issue' ? run.commands.issueSupplies(summary, body) : run.commands.returnSupplies(summary, body)));
    reservation.status = r.status;
    if (step.action === 'issue') state.figures.supplies.issued += reservation.units;
    else state.figures.supplies.returned += reservation.units;
  }
}
