/**
 * What every community step runs with: the incident's context, the community's state, its keys and notes, the
 * commands to the services, and the signals that arrived (task progress, the commander's decisions). One per
 * community phase run; workflow-safe.
 */
import {
  CancellationScope,
  CancelledFailure,
  condition,
  getExternalWorkflowHandle,
  log,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { BroadcastOutcome, Phase } from '@lifeline/contracts';
import { GateDecisionSignal, TaskSignal, workflowIds, type DeadlineSignal } from '@lifeline/contracts/inbound';
import { commandOptions, localCommandOptions } from '../activity-options';
import { commandsWith, localCommandsWith, type Commands } from '../proxies';
import { deadlinePassedSignal, gateDecisionSignal, PATCHES, taskProgressSignal } from '../messages';
import { gateIdFor } from '../domain/deadlines';
import { idempotencyKey } from '../domain/keys';
import type { CommunityPhaseInput, CommunityState, PhaseContext } from '../domain/state';

/** A command already sent must finish and be recorded even during a stand-down, or its effect could not be undone. */
export const uninterrupted = <T>(fn: () => Promise<T>) => CancellationScope.nonCancellable(fn);

export const throwIfStandingDown = () => {
  if (CancellationScope.current().consideredCancelled) throw new CancelledFailure('stand-down');
};

/**
 * Commands as local activities (patch `community-local-activities`): the worker running the workflow task runs them
 * and records a marker, with no activity task through the server. Runs recorded before that replay as activities.
 */
function commandsFor(): Commands {
  return patched(PATCHES.communityLocalActivities) ? localCommandsWith(localCommandOptions) : commandsWith(commandOptions);
}

export type CommunityRun = ReturnType<typeof communityRun>;

/** A deep copy: an input is history, the state is ours to change. */
export const copyOf = (state: CommunityState): CommunityState => JSON.parse(JSON.stringify(state)) as CommunityState;

/** Set up one community phase run: copy the state, install the signal handlers, pick how commands run. */
export function startCommunityRun(input: CommunityPhaseInput) {
  /** Progress by task id; a signal may arrive before the dispatch command has even returned the task. */
  const progress = new Map<string, TaskSignal>();
  setHandler(taskProgressSignal, (raw) => {
    const parsed = TaskSignal.safeParse(raw);
    if (!parsed.success) {
      log.warn('ignoring a malformed taskProgress signal', { issues: parsed.error.issues.length });
      return;
    }
    const seen = progress.get(parsed.data.taskId);
    if (seen?.status !== 'done') progress.set(parsed.data.taskId, parsed.data);
  });

  /** The commander's decisions on this incident's gates, handed down by the incident. */
  const decisions = new Map<string, string>();
  setHandler(gateDecisionSignal, (raw) => {
    const parsed = GateDecisionSignal.safeParse(raw);
    if (parsed.success) decisions.set(parsed.data.gateId, parsed.data.decision);
  });

  return communityRun(input.context, copyOf(input.state), workflowInfo().workflowId, commandsFor(), { progress, decisions });
}

/**
 * What a community's steps run with, for the community `workflowId` names: its keys are that workflow's, whichever
 * workflow runs them (a community run, or its district warning every community: `district-workflow.ts`). `inbox`
 * holds what arrived by signal; a district has no community inbox, so it runs no step that waits for one.
 */
export function communityRun(
  context: PhaseContext,
  state: CommunityState,
  workflowId: string,
  commands: Commands,
  inbox: { progress: Map<string, TaskSignal>; decisions: Map<string, string> } = { progress: new Map(), decisions: new Map() },
) {
  const { progress, decisions } = inbox;
  const run = {
    context,
    state,
    commands,
    progress,
    decisions,
    key: (stepId: string, ...suffix: (string | number)[]) => idempotencyKey(workflowId, stepId, ...suffix),
    note: (stepId: string, text: string, phase: Phase | 'stand-down' = context.phase) => void state.notes.push({ phase, stepId, note: text }),

    /**
     * The rules `escalate-severity` and `ask-commander` act at the incident; runs recorded before they were executed
     * only noted the missed deadline, and must replay doing the same (patch `deadline-rules`).
     */
    executesRule: (rule: string) => (rule === 'escalate-severity' || rule === 'ask-commander' ? patched(PATCHES.deadlineRules) : true),

    tellIncident: (stepId: string, rule: DeadlineSignal['rule'], detail: string) =>
      uninterrupted(() =>
        getExternalWorkflowHandle(workflowIds.incident(context.incidentId)).signal(deadlinePassedSignal, { communityId: state.communityId, phase: context.phase, stepId, rule, detail }),
      ),

    /** Ask the commander (through the incident) and wait for the decision, or until `unlessFirst` comes true. */
    async askCommander(stepId: string, detail: string, unlessFirst: () => boolean = () => false): Promise<string | undefined> {
      const gateId = gateIdFor(context.phase, stepId);
      if (!decisions.has(gateId)) await run.tellIncident(stepId, 'ask-commander', detail);
      await condition(() => decisions.has(gateId) || unlessFirst());
      return decisions.get(gateId);
    },

    /** Late completions (a task finished after its phase ended) reach the next phase's run under the same id. */
    absorbProgress() {
      for (const task of state.tasks) {
        const signal = progress.get(task.taskId);
        if (signal?.status === 'done' && task.status !== 'done' && task.status !== 'stood-down') {
          if (task.status !== 'acknowledged') state.figures.personnel.acknowledged++;
          Object.assign(task, { status: 'done', ownerId: signal.ownerId, hours: signal.hours });
          state.figures.personnel.done++;
        }
      }
    },

    recordBroadcast(job: BroadcastOutcome) {
      state.figures.notification.total += job.total;
      state.figures.notification.sent += job.sent;
    },
  };
  return run;
}
