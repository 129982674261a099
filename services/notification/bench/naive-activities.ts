import { notification } from '@lifeline/contracts';
import { call, type NatsConnection } from '@lifeline/platform';

/** The bench's synthetic phone for a resident index (the same rule the seeding uses). */
export const benchPhone = (i: number) => `138${String(i).padStart(8, '0')}`;
const indexOf = (residentId: string) => Number(residentId.slice(residentId.lastIndexOf('-') + 1));

/** One message to one resident through the service's `direct` endpoint: the same gateway, one round trip each. */
export function naiveActivities(nc: NatsConnection) {
  return {
    async sendOne({ incidentId, residentId }: { incidentId: string; residentId: string }): Promise<'sent' | 'failed'> {
      const result = await call(nc, notification.direct, {
        idempotencyKey: `${incidentId}:naive:${residentId}`,
        incidentId,
        recipientId: residentId,
        phone: benchPhone(indexOf(residentId)),
        channel: 'sms',
        message: { zh: '台风预警：请留在室内。', en: 'Typhoon warning: stay indoors.' },
        drill: true,
      }, { timeoutMs: 60_000 });
      return result.status;
    },
  };
}
export type NaiveActivities = ReturnType<typeof naiveActivities>;
