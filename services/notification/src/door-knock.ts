import type { z } from 'zod';
import { LifelineError, personnel, type notificationContract } from '@lifeline/contracts';
import { call, type ServiceContext } from '@lifeline/platform';
import type { Gateway, GatewayAnswer, GatewayMessage, TransmitContext } from './channels';

type Channel = z.infer<typeof notificationContract.Channel>;
type Severity = 'I' | 'II' | 'III' | 'IV';

const DISPATCH_TIMEOUT_MS = 15_000;

/** The door-knock task text: pseudonymous resident, grid and building only (no name, phone or address). */
export const doorKnockTask = (residentId: string, address: string) => ({
  zh: `上门敲门确认：住户 ${residentId}（${address}），请当面确认其安全并报告。`,
  en: `Door-knock: check on resident ${residentId} (${address}) in person and report back.`,
});

/**
 * The door-knock "gateway": each transmission becomes a task for the grid's worker through personnel `dispatch`,
 * keyed `${keyPrefix}:door-knock:${residentId}` so a retry never creates a second task. A dispatch that finds no
 * owner still counts as sent (personnel holds the task unassigned and falls back); a refused one counts as failed.
 */
export function personnelDoorKnock(ctx: ServiceContext): Gateway {
  return {
    name: 'personnel-door-knock',
    simulated: false,
    async transmit(_channel: Channel, sandbox: boolean, messages: readonly GatewayMessage[], context: TransmitContext): Promise<GatewayAnswer[]> {
      return Promise.all(
        messages.map(async (m) => {
          const residentId = m.residentIds[0]!;
          try {
            const task = await call(
              ctx.nc,
              personnel.dispatch,
              {
                idempotencyKey: `${context.keyPrefix}:door-knock:${residentId}`,
                incidentId: context.incidentId,
                communityId: context.communityId,
                stepId: 'door-knock',
                role: 'grid-worker',
                task: doorKnockTask(residentId, m.address),
                severity: context.severity as Severity,
                drill: sandbox,
              },
              { timeoutMs: DISPATCH_TIMEOUT_MS },
            );
            return { status: 'sent' as const, receiptId: task.taskId };
          } catch (err) {
            const code = err instanceof LifelineError ? err.code : 'internal';
            ctx.log.warn({ residentId, code, incidentId: context.incidentId }, 'door-knock task not created');
            return { status: 'failed' as const, receiptId: '', reason: `personnel dispatch: ${code}` };
          }
        }),
      );
    },
  };
}
