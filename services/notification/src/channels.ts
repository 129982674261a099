import { setTimeout as sleep } from 'node:timers/promises';

/** One resident-facing or responder-facing message, ready for a gateway. The phone is clear text only here, in memory. */
export interface OutboundMessage {
  /** Pseudonymous id of the recipient (resident or responder). */
  residentId: string;
  channel: string;
  language: 'zh' | 'en';
  message: string;
  phone: string;
}

export interface SendResult {
  residentId: string;
  status: 'sent' | 'failed';
  reason?: string;
}

/** A channel gateway (SMS, push, loudspeaker…): takes a whole batch, answers per recipient. */
export interface ChannelAdapter {
  readonly name: string;
  send(batch: readonly OutboundMessage[]): Promise<SendResult[]>;
}

export interface SimulatedGatewayOptions {
  /** Share of recipients whose send fails (0…1). */
  failureRate: number;
  /** How long each batch call takes, in milliseconds. */
  delayMs: number;
  random?: () => number;
}

/** Stands in for every real gateway: records nothing, messages nobody, answers as a gateway would. */
export class SimulatedGateway implements ChannelAdapter {
  readonly name = 'simulated';
  private readonly random: () => number;
  constructor(private readonly options: SimulatedGatewayOptions) {
    this.random = options.random ?? Math.random;
  }

  async send(batch: readonly OutboundMessage[]): Promise<SendResult[]> {
    if (this.options.delayMs > 0) await sleep(this.options.delayMs);
    return batch.map((m) =>
      this.random() < this.options.failureRate ? { residentId: m.residentId, status: 'failed', reason: 'simulated gateway failure' } : { residentId: m.residentId, status: 'sent' },
    );
  }
}

/** The gateways a process holds: drills are sandboxed and only ever reach the simulated gateway. */
export interface Gateways {
  live: ChannelAdapter;
  drill: ChannelAdapter;
}

export const gatewayFor = (gateways: Gateways, drill: boolean): ChannelAdapter => (drill ? gateways.drill : gateways.live);

/** No real gateway is wired yet: live traffic goes to the simulator too, configured from the environment. */
export function createGateways(options: SimulatedGatewayOptions): Gateways {
  const simulated = new SimulatedGateway(options);
  return { live: simulated, drill: simulated };
}
