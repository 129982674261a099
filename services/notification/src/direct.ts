import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { notificationContract } from '@lifeline/contracts';
import { isDuplicateKey, maskPhone, type ServiceContext } from '@lifeline/platform';
import { gatewayFor, type Gateways } from './channels';
import { messageFor } from './domain/delivery';
import { directModel, type DirectDoc } from './model/direct';

type DirectMessageRequest = z.infer<typeof notificationContract.DirectMessageRequest>;
type DirectMessageResult = z.infer<typeof notificationContract.DirectMessageResult>;

const toResult = (m: DirectDoc): DirectMessageResult => ({ messageId: m._id, status: m.status === 'failed' ? 'failed' : 'sent', drill: m.drill });

/**
 * One message to one responder. The message is recorded (phone sealed) as `pending` before the gateway is called, so a
 * repeat of the key returns the first answer; a repeat after a crash mid-send sends the still-pending message again.
 */
export function directMessages(ctx: ServiceContext, gateways: Gateways) {
  const Direct = directModel(ctx.db);

  async function record(req: DirectMessageRequest): Promise<DirectDoc> {
    const doc: DirectDoc = {
      _id: `msg-${randomUUID()}`,
      idempotencyKey: req.idempotencyKey,
      incidentId: req.incidentId,
      recipientId: req.recipientId,
      phone: ctx.vault.seal(req.phone),
      channel: req.channel,
      drill: req.drill,
      status: 'pending',
      createdAt: new Date(),
    };
    try {
      await Direct.collection.insertOne(doc as never);
      return doc;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const first = await Direct.findOne({ idempotencyKey: req.idempotencyKey }).lean();
      if (!first) throw err;
      return first;
    }
  }

  return {
    async send(req: DirectMessageRequest): Promise<DirectMessageResult> {
      const known = await Direct.findOne({ idempotencyKey: req.idempotencyKey }).lean();
      const message = known ?? (await record(req));
      if (message.status !== 'pending') return toResult(message);
      // Texts go to responders in Chinese, the working language of community staff.
      const [result] = await gatewayFor(gateways, message.drill).send([
        { residentId: message.recipientId, channel: message.channel, language: 'zh', message: messageFor(req.message, 'zh'), phone: req.phone },
      ]);
      const status = result?.status ?? 'failed';
      const settled = (await Direct.findOneAndUpdate({ _id: message._id, status: 'pending' }, { $set: { status } }, { new: true }).lean()) ?? (await Direct.findById(message._id).lean());
      ctx.log.info({ messageId: message._id, recipientId: message.recipientId, phone: maskPhone(req.phone), status, drill: message.drill }, 'direct message');
      return toResult(settled ?? { ...message, status });
    },
  };
}
