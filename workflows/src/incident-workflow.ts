import { ApplicationFailure, CancellationScope, isCancellation } from '@temporalio/workflow';
import type { IncidentInput, IncidentView } from '@lifeline/contracts';
import { activate, close, compensate, resolveArea, writeReadiness } from './incident/lifecycle';
import { parseIncidentInput } from './incident/input';
import { deliverDecisions, listen } from './incident/operator';
import { runPhase } from './incident/phases';
import { Incident } from './incident/state';

/**
 * An incident, from activation to review. Id `incident-<id>` (chosen by the command-center).
 * Walks warn → mobilize → respond → recover → review; community steps fan out down the hierarchy
 * (incident → district → community child workflows), incident-level steps (`await`, `collect`) run here.
 * Returns the final IncidentView; query `status` gives the same view at any time.
 */
export async function incidentWorkflow(rawInput: IncidentInput): Promise<IncidentView> {
  const parsed = parseIncidentInput(rawInput);
  if (!parsed.success) throw ApplicationFailure.nonRetryable('invalid incident input', 'invalid_request', parsed.error.issues);
  const incident = new Incident(parsed.data);
  /** Child work of the phases; a stand-down cancels it, then compensations run outside it. */
  const phases = new CancellationScope();
  listen(incident, phases);

  activate(incident);
  await resolveArea(incident);
  void deliverDecisions(incident);
  try {
    await phases.run(async () => {
      await runPhase(incident, 'warn'); // warn residents, vulnerable people first
      await runPhase(incident, 'mobilize'); // reserve supplies, dispatch responders
      await runPhase(incident, 'respond'); // issue supplies, award completed work
      await runPhase(incident, 'recover'); // return what was not used, send the all-clear
    });
  } catch (err) {
    if (!isCancellation(err)) throw err;
  }

  if (incident.standingDown) {
    await compensate(incident);
    close(incident, 'stood-down');
    return incident.view;
  }
  await runPhase(incident, 'review'); // collect figures, then the after-action review
  await writeReadiness(incident);
  close(incident, 'completed');
  return incident.view;
}
