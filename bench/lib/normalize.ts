/**
 * The notification bench's result read whatever it names its fields, so the harness can use the bench while its owner
 * rewrites it; a result without a field the table needs is an error naming what it lacks (pure).
 */

const num = (...candidates: unknown[]) => candidates.find((c): c is number => typeof c === 'number');

/** What the figure needs of one broadcast run, whoever drove it. */
export interface BroadcastOutcome {
  sent: number;
  /** Request → last message at the gateway. */
  seconds: number;
  naiveMessagesPerSecond: number;
  duplicates?: number;
  transmissions?: number;
  vulnerableFirst?: boolean;
  vulnerableShareFirst?: number;
}

/** Reads the notification bench's result whatever it names its fields (flat or under `batch`/`naive`), and says which it lacks. */
export function normalizeBroadcast(raw: unknown): BroadcastOutcome {
  const r = (raw ?? {}) as Record<string, unknown>;
  const batch = (r.batch ?? r) as Record<string, unknown>;
  const naive = (r.naive ?? {}) as Record<string, unknown>;
  const sent = num(batch.sent);
  const seconds = num(batch.endToEndSeconds, batch.seconds, r.endToEndSeconds);
  const naiveRateValue = num(naive.messagesPerSecond, r.naiveMessagesPerSecond, r.naivePerSecond);
  const missing = [sent === undefined && 'sent', seconds === undefined && 'endToEndSeconds', naiveRateValue === undefined && 'naivePerSecond'].filter(Boolean);
  if (missing.length) throw new Error(`runBroadcastBench's result lacks ${missing.join(', ')} (has ${Object.keys(r).join(', ')})`);
  const vulnerableFirst = [batch.vulnerableFirst, r.vulnerableFirst].find((v): v is boolean => typeof v === 'boolean');
  return {
    sent: sent!,
    seconds: seconds!,
    naiveMessagesPerSecond: naiveRateValue!,
    duplicates: num(batch.duplicates, r.duplicates),
    transmissions: num(batch.gatewayMessages, batch.transmissions),
    vulnerableFirst,
    vulnerableShareFirst: num(batch.vulnerableShareFirst, r.vulnerableShareFirst),
  };
}

