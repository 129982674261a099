import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { notificationContract } from '@lifeline/contracts';
import { isDuplicateKey, maskPhone, type ServiceContext } from '@lifeline/platform';
import type { Channels } from './channels';
import { messageFor } from './domain/delivery';
import { directModel, type DirectDoc } from './model/direct';

type DirectMessageRequest = z.infer<typeof notificationContract.DirectMessageRequest>;
type DirectMessageResult = z.infer<typeof notificationContract.DirectMessageResult>;

const toResult = (m: DirectDoc): DirectMessageResult => ({ messageId: m._id, status: m.status === 'failed' ? 'failed' : 'sent', drill: m.drill });

/**
 * One message to one responder. The message is recorded (phone sealed) as `pending` before the gateway is called, so a
 * repeat of the key returns the first answer; a repeat after a crash mid-send calls the gateway again under the same
 * call key (`${messageId}:${channel}`), which answers from its record instead of transmitting twice.
 */
/** Beyond the contract: residents are answered in their own language, and answers are told apart from task messages. */
export interface DirectOptions {
  language?: 'zh' | 'en';
  purpose?: DirectDoc['purpose'];
}

export function directMessages(ctx: ServiceContext, channels: Channels) {
  const Direct = directModel(ctx.db);

  async function record(req: DirectMessageRequest, purpose: DirectDoc['purpose']): Promise<DirectDoc> {
    const doc: DirectDoc = {
      _id: `msg-${randomUUID()}`,
      idempotencyKey: req.idempotencyKey,
      incidentId: req.incidentId,
      recipientId: req.recipientId,
      phone: ctx.vault.seal(req.phone),
      channel: req.channel,
      drill: req.drill,
      status: 'pending',
      purpose,
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
    async send(req: DirectMessageRequest, options: DirectOptions = {}): Promise<DirectMessageResult> {
      const known = await Direct.findOne({ idempotencyKey: req.idempotencyKey }).lean();
      const message = known ?? (await record(req, options.purpose ?? 'responder'));
      if (message.status !== 'pending') return toResult(message);
      // Texts go to responders in Chinese, the working language of community staff; residents get their own language.
      const language = options.language ?? 'zh';
      const channel = req.channel === 'door-knock' ? 'sms' : req.channel;
      const [result] = await channels[channel].send(
        [{ residentId: message.recipientId, channel, language, message: messageFor(req.message, language), phone: req.phone }],
        message.drill,
        { incidentId: message.incidentId, communityId: '-', severity: '-', keyPrefix: message._id, callKey: `${message._id}:${channel}` },
      );
      const status = result?.status ?? 'failed';
      const settled = (await Direct.findOneAndUpdate({ _id: message._id, status: 'pending' }, { $set: { status } }, { new: true }).lean()) ?? (await Direct.findById(message._id).lean());
      ctx.log.info({ messageId: message._id, recipientId: message.recipientId, phone: maskPhone(req.phone), status, drill: message.drill }, 'direct message');
      return toResult(settled ?? { ...message, status });
    },
  };
}
