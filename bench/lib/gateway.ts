/**
 * What the simulated gateway saw of one broadcast (pure; unit tested): when the last message went out, whether any
 * resident got the message twice, and whether the vulnerable residents were all reached before anyone else.
 */

/**
 * One gateway call as notification records it (`gateway_calls`): who it reached, and when. Either shape the service
 * has stored: every recipient flattened in `residentIds`, or one entry per transmission in `messages`.
 */
export interface GatewayCall {
  at: Date;
  residentIds?: string[];
  messages?: { residentIds: string[] }[];
}

const recipientsOf = (call: GatewayCall): string[] => call.residentIds ?? (call.messages ?? []).flatMap((m) => m.residentIds);

export interface GatewayOrder {
  transmissions: number;
  residents: number;
  /** Transmissions beyond the first to the same resident. */
  duplicates: number;
  lastAt?: Date;
  /** Every vulnerable resident reached no later than the first other resident. */
  vulnerableFirst: boolean;
  /** Share (0–1) of the vulnerable residents reached no later than the first other resident. */
  vulnerableShareFirst: number;
}

export function gatewayOrder(calls: readonly GatewayCall[], isVulnerable: (residentId: string) => boolean): GatewayOrder {
  const seen = new Set<string>();
  let transmissions = 0;
  let lastAt: Date | undefined;
  let firstOther = Infinity;
  const vulnerableAt: number[] = [];
  for (const call of calls) {
    const at = new Date(call.at).getTime();
    if (!lastAt || at > lastAt.getTime()) lastAt = new Date(at);
    for (const id of recipientsOf(call)) {
      transmissions++;
      if (seen.has(id)) continue;
      seen.add(id);
      if (isVulnerable(id)) vulnerableAt.push(at);
      else firstOther = Math.min(firstOther, at);
    }
  }
  const early = vulnerableAt.filter((at) => at <= firstOther).length;
  return {
    transmissions,
    residents: seen.size,
    duplicates: transmissions - seen.size,
    lastAt,
    vulnerableFirst: early === vulnerableAt.length,
    vulnerableShareFirst: vulnerableAt.length === 0 ? 1 : early / vulnerableAt.length,
  };
}
