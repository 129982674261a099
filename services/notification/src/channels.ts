import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from 'mongoose';
import type { z } from 'zod';
import type { notificationContract } from '@lifeline/contracts';
import { isDuplicateKey } from '@lifeline/platform';
import { gatewayCallModel, simulatorSettingsModel, SIMULATOR_SETTINGS_ID } from './model/gateway';
import { pack, unpack } from './domain/packing';
import { TokenBucket } from './domain/rate';

type Channel = z.infer<typeof notificationContract.Channel>;
type SimulatorSettings = z.infer<typeof notificationContract.SimulatorSettings>;

/** One resident-facing or responder-facing message, ready for a gateway. The phone is clear text only here, in memory. */
export interface OutboundMessage {
  /** Pseudonymous id of the recipient (resident or responder). */
  residentId: string;
  channel: string;
  language: 'zh' | 'en';
  message: string;
  phone: string;
  /** Where the recipient lives: zone channels (loudspeaker, group chat) reach a building or grid as a whole. */
  gridId?: string;
  buildingId?: string;
}

export interface SendResult {
  residentId: string;
  status: 'sent' | 'failed';
  reason?: string;
  /** The gateway's receipt for the message that reached this recipient (one per zone for zone channels). */
  receiptId?: string;
}

/** What a gateway transmits: one addressed message per entry (a zone channel sends one per zone). */
export interface GatewayMessage {
  /** The recipients this one transmission reaches. */
  residentIds: string[];
  /** Phone, zone or group address, in memory only. */
  address: string;
  language: 'zh' | 'en';
  text: string;
}

/** What a transmission is for: the incident and area, and the keys that make its side effects idempotent. */
export interface TransmitContext {
  incidentId: string;
  communityId: string;
  severity: string;
  /** e.g. `${jobId}` or `${caseId}`; a gateway that creates things (door-knock tasks) derives its keys from it. */
  keyPrefix: string;
  /**
   * The call's own key, the same on every retry of the same call (a broadcast page: `${sheetId}:${tag}:${channel}`).
   * A gateway that knows the key answers what it answered then and transmits nothing again.
   */
  callKey: string;
  /** The incident step a broadcast is for. */
  stepId?: string;
  /**
   * For zone channels (loudspeaker, group chat): each zone is its own call, keyed `${zoneKeyPrefix}:${zone}`. A
   * broadcast passes `${incidentId}:${stepId}:${channel}`, so a zone reached for one page of a step is not transmitted
   * to again for another page or job of the step: the gateway answers from its record.
   */
  zoneKeyPrefix?: string;
}

export interface GatewayAnswer {
  status: 'sent' | 'failed';
  receiptId: string;
  reason?: string;
}

/**
 * A pluggable transport behind the channels (an SMS provider, a push service, a loudspeaker controller…). It must
 * be idempotent by `context.callKey`: a repeated call — the sender retrying after a crash or a lost answer — answers
 * as the first did without transmitting again. Providers do this with client message ids (the adapter passes the
 * call key, or `${callKey}:${residentId}` per message); an adapter for a gateway without such ids must first ask for
 * the delivery receipts of the key and transmit only to recipients it has none for.
 */
export interface Gateway {
  readonly name: string;
  readonly simulated: boolean;
  transmit(channel: Channel, sandbox: boolean, messages: readonly GatewayMessage[], context: TransmitContext): Promise<GatewayAnswer[]>;
}

/** Each transmission's answer as recorded: `r1+r2 status receipt reason` (reason URI-encoded), one line each, packed. */
export function encodeTransmissions(messages: readonly Pick<GatewayMessage, 'residentIds'>[], answers: readonly GatewayAnswer[]): string {
  return pack(messages.map((m, i) => [m.residentIds.join('+'), answers[i]!.status, answers[i]!.receiptId, encodeURIComponent(answers[i]!.reason ?? '')].join(' ')).join('\n'));
}

/** A call's recorded transmissions: who each reached and its answer. */
export function decodeTransmissions(text: string): { residentIds: string[]; answer: GatewayAnswer }[] {
  return (text ? unpack(text).split('\n') : []).map((line) => {
    const [ids, status, receiptId, reason] = line.split(' ');
    return { residentIds: (ids ?? '').split('+'), answer: { status: status === 'sent' ? 'sent' : 'failed', receiptId: receiptId ?? '', ...(reason ? { reason: decodeURIComponent(reason) } : {}) } };
  });
}

/**
 * What a repeated call is answered: each transmission by its first recipient's recorded answer; a one-zone call (one
 * transmission) by the zone's recorded answer, whoever it is for now (other residents of the zone, on another page).
 */
export function recordedAnswers(recorded: ReturnType<typeof decodeTransmissions>, messages: readonly GatewayMessage[], callKey: string): GatewayAnswer[] {
  if (recorded.length === 1 && messages.length === 1) return [recorded[0]!.answer];
  const byResident = new Map(recorded.flatMap((t) => t.residentIds.map((id) => [id, t.answer] as const)));
  return messages.map((m) => byResident.get(m.residentIds[0]!) ?? { status: 'failed' as const, receiptId: '', reason: `not part of the call recorded under ${callKey}` });
}

/**
 * The local simulated gateway: answers as a gateway would, with the failures and delay set through the `simulator`
 * endpoint (stored, so every replica applies them), and records every call under its call key (`gateway_calls`:
 * recipients and answers) so tests and benchmarks can check who was messaged and how often. Recording IS the
 * transmission here, when the call is accepted; the answer comes back `delayMs` later (a sender that dies in between
 * has transmitted without knowing the answer). A call whose key is already recorded (a retry) is answered from the
 * record, as a provider answers a repeated client message id, transmits nothing, and is counted in `repeats`.
 */
export class SimulatedGateway implements Gateway {
  readonly name = 'simulated';
  readonly simulated = true;
  private settings: SimulatorSettings = { failureRate: {}, failFor: [], delayMs: 0 };
  private loadedAt = 0;
  constructor(
    private readonly db: Connection,
    private readonly defaults: { failureRate: number; delayMs: number },
    private readonly random: () => number = Math.random,
  ) {}

  private async current(): Promise<SimulatorSettings> {
    if (Date.now() - this.loadedAt < 500) return this.settings;
    const stored = await simulatorSettingsModel(this.db).findById(SIMULATOR_SETTINGS_ID).lean();
    this.settings = stored?.settings ?? { failureRate: {}, failFor: [], delayMs: this.defaults.delayMs };
    this.loadedAt = Date.now();
    return this.settings;
  }

  async transmit(channel: Channel, sandbox: boolean, messages: readonly GatewayMessage[], context: TransmitContext): Promise<GatewayAnswer[]> {
    const settings = await this.current();
    const delayMs = settings.delayMs || this.defaults.delayMs;
    // The messages go out when the call is accepted (recorded); the answer comes back `delayMs` later.
    const answers = await this.accept(channel, sandbox, messages, context, settings);
    if (delayMs > 0) await sleep(delayMs);
    return answers;
  }

  private async accept(channel: Channel, sandbox: boolean, messages: readonly GatewayMessage[], context: TransmitContext, settings: SimulatorSettings): Promise<GatewayAnswer[]> {
    const rate = settings.failureRate[channel] ?? this.defaults.failureRate;
    const failFor = new Set(settings.failFor.filter((f) => f.channel === channel).map((f) => f.residentId));
    const callId = randomBytes(6).toString('base64url');
    const answers = messages.map((m, i): GatewayAnswer => {
      const receiptId = `rcpt-${callId}-${i}`;
      if (m.residentIds.some((id) => failFor.has(id))) return { status: 'failed' as const, receiptId, reason: 'simulated failure for this recipient' };
      return this.random() < rate ? { status: 'failed' as const, receiptId, reason: 'simulated gateway failure' } : { status: 'sent' as const, receiptId };
    });
    const sent = answers.filter((a) => a.status === 'sent').length;
    try {
      await gatewayCallModel(this.db).collection.insertOne({
        _id: context.callKey,
        channel,
        sandbox,
        incidentId: context.incidentId,
        ...(context.stepId ? { stepId: context.stepId } : {}),
        keyPrefix: context.keyPrefix,
        recipients: messages.flatMap((m) => m.residentIds).join(' '),
        transmissions: encodeTransmissions(messages, answers),
        sent,
        failed: answers.length - sent,
        at: new Date(),
      } as never);
      return answers;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      return this.recorded(context.callKey, messages);
    }
  }

  /** A repeated call: what the first answered (see {@link recordedAnswers}); the repeat is counted. */
  private async recorded(callKey: string, messages: readonly GatewayMessage[]): Promise<GatewayAnswer[]> {
    // No projection: our store's findAndModify refuses one ("support for field \"fields\" … is not implemented yet").
    const call = await gatewayCallModel(this.db).collection.findOneAndUpdate({ _id: callKey } as never, { $inc: { repeats: 1 } }, { returnDocument: 'after' });
    return recordedAnswers(decodeTransmissions((call as { transmissions?: string } | null)?.transmissions ?? ''), messages, callKey);
  }
}

/** How a channel reaches people: one message per person, or one per zone (building loudspeaker, grid group chat). */
type Reach = 'person' | 'door' | 'building' | 'grid';
const REACH: Record<Channel, Reach> = { sms: 'person', 'app-push': 'person', loudspeaker: 'building', 'group-chat': 'grid', 'door-knock': 'door' };

const zoneOf = (reach: Reach, m: OutboundMessage) => (reach === 'building' ? `building:${m.buildingId ?? m.residentId}` : reach === 'grid' ? `grid:${m.gridId ?? m.residentId}` : `person:${m.residentId}`);

/** Where a transmission goes: a phone for personal channels, a grid/building (never a phone) for door-knocks and zones. */
function addressOf(reach: Reach, zone: string, first: OutboundMessage): string {
  if (reach === 'person') return first.phone;
  if (reach === 'door') return `grid ${first.gridId ?? '?'}, building ${first.buildingId ?? '?'}`;
  return zone;
}

/**
 * A channel: its rate limit (transmissions per second, shared by every batch in this process), its reach, and the
 * gateway behind it. Drills are sandboxed: the gateway is told so, and only a simulated gateway ever sees them.
 */
export class ChannelAdapter {
  readonly reach: Reach;
  private readonly bucket: TokenBucket;
  constructor(
    readonly channel: Channel,
    readonly ratePerSecond: number,
    private readonly live: Gateway,
    private readonly sandbox: Gateway,
  ) {
    this.reach = REACH[channel];
    this.bucket = new TokenBucket(ratePerSecond, ratePerSecond);
  }

  /** Transmissions needed to reach these recipients (zones count once). */
  transmissions(messages: readonly Pick<OutboundMessage, 'residentId' | 'gridId' | 'buildingId'>[]): number {
    return new Set(messages.map((m) => zoneOf(this.reach, m as OutboundMessage))).size;
  }

  /** The zone one transmission reaches a recipient in (the recipient itself for personal channels). */
  zone(m: Pick<OutboundMessage, 'residentId' | 'gridId' | 'buildingId'>): string {
    return zoneOf(this.reach, m as OutboundMessage);
  }

  async send(messages: readonly OutboundMessage[], drill: boolean, context: TransmitContext): Promise<SendResult[]> {
    if (messages.length === 0) return [];
    const byZone = new Map<string, OutboundMessage[]>();
    for (const m of messages) {
      const key = zoneOf(this.reach, m);
      byZone.set(key, [...(byZone.get(key) ?? []), m]);
    }
    const transmissions: GatewayMessage[] = [...byZone.entries()].map(([zone, members]) => ({
      residentIds: members.map((m) => m.residentId),
      address: addressOf(this.reach, zone, members[0]!),
      language: members[0]!.language,
      text: members[0]!.message,
    }));
    await this.bucket.take(transmissions.length);
    const gateway = drill ? this.sandbox : this.live;
    const zones = [...byZone.keys()];
    const answers =
      context.zoneKeyPrefix && (this.reach === 'building' || this.reach === 'grid')
        ? await Promise.all(transmissions.map(async (t, i) => (await gateway.transmit(this.channel, drill, [t], { ...context, callKey: `${context.zoneKeyPrefix}:${zones[i]}` }))[0]!))
        : await gateway.transmit(this.channel, drill, transmissions, context);
    return transmissions.flatMap((t, i) =>
      t.residentIds.map((residentId) => ({ residentId, status: answers[i]!.status, receiptId: answers[i]!.receiptId, ...(answers[i]!.reason ? { reason: answers[i]!.reason } : {}) })),
    );
  }
}

export type Channels = Record<Channel, ChannelAdapter> & { gateway: Gateway };

export interface ChannelSettings {
  rates: Record<Channel, number>;
  simulator: { failureRate: number; delayMs: number };
}

/**
 * The channels a process holds. No live gateway is wired yet, so live traffic reaches the simulator too (sandbox
 * false); wiring a provider means passing another {@link Gateway} as `live`. Door-knocks are not messages: their
 * gateway creates grid-worker tasks through personnel (drill tasks in drills, answered by simulated responders).
 */
export function createChannels(db: Connection, settings: ChannelSettings, gateways: { doorKnock: Gateway; live?: Gateway }): Channels {
  const simulated = new SimulatedGateway(db, settings.simulator);
  const gateway = gateways.live ?? simulated;
  const make = (c: Channel) => new ChannelAdapter(c, settings.rates[c], gateway, simulated);
  const doorKnock = new ChannelAdapter('door-knock', settings.rates['door-knock'], gateways.doorKnock, gateways.doorKnock);
  return { sms: make('sms'), 'app-push': make('app-push'), loudspeaker: make('loudspeaker'), 'group-chat': make('group-chat'), 'door-knock': doorKnock, gateway };
}
