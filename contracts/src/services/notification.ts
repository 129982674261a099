import { z } from 'zod';
import { CommunityId, IdempotencyKey, IncidentId, LocalizedText, Severity, Slug } from '../common';
import { endpoint, event } from '../define';
import { requiredWhen } from '../rules';

export const Channel = z.enum(['sms', 'app-push', 'loudspeaker', 'group-chat', 'door-knock']);
export type Channel = z.infer<typeof Channel>;
export const Vulnerability = z.enum(['elderly-alone', 'disabled', 'child', 'chronic-illness', 'pregnant']);
export const AudienceGroup = z.enum(['everyone', 'vulnerable', 'responders']);
export const Language = z.enum(['zh', 'en']);

export const ResidentRecord = z.strictObject({
  id: Slug,
  communityId: CommunityId,
  gridId: Slug,
  buildingId: Slug,
  name: z.string().min(1).max(100),
  phone: z.string().regex(/^\+?[0-9]{6,15}$/),
  address: z.string().min(1).max(300),
  language: Language.default('zh'),
  vulnerabilities: z.array(Vulnerability).max(5).default([]),
});
export type ResidentRecord = z.input<typeof ResidentRecord>;

export const SeedResidentsRequest = z.strictObject({ residents: z.array(ResidentRecord).max(20000) });
export const SeedResidentsResult = z.object({ residents: z.number().int() });

/**
 * Who a broadcast reaches inside its community: groups, optionally narrowed to grids and/or buildings (a resident is
 * in the audience when they live in one of the named grids or buildings). Overlapping audiences of one step still
 * message each resident once.
 */
export const Audience = z.strictObject({
  groups: z.array(AudienceGroup).min(1),
  gridIds: z.array(Slug).min(1).max(1000).optional(),
  buildingIds: z.array(Slug).min(1).max(5000).optional(),
});

/** At most `max` messages to one resident per `windowMinutes`, across the steps of every incident. */
export const ContactCap = z.strictObject({ max: z.number().int().min(1).max(50), windowMinutes: z.number().int().min(1).max(7 * 24 * 60) });
export type ContactCap = z.infer<typeof ContactCap>;

export const BroadcastRequest = z.strictObject({
  idempotencyKey: IdempotencyKey,
  incidentId: IncidentId,
  stepId: Slug,
  communityId: CommunityId,
  audience: Audience,
  /** In order of preference: a resident the first channel fails for is retried once on the next. */
  channels: z.array(Channel).min(1),
  message: LocalizedText,
  severity: Severity,
  drill: z.boolean().default(false),
  /** Contact-frequency cap across steps; residents over it are skipped (counted as `frequencyCapped`). */
  contactCap: ContactCap.optional(),
  /** Set when the incident was escalated in severity: the contact cap no longer holds back this step. */
  escalated: z.boolean().optional(),
  /** Vulnerable residents who have not replied `safe` this long after the job started can be turned into door-knock tasks (see `escalate-unconfirmed`). */
  confirmWithinMinutes: z.number().int().min(1).max(24 * 60).optional(),
});

export const JobStatus = z.enum(['queued', 'sending', 'completed']);
export const ChannelFigures = z.object({ sent: z.number().int(), failed: z.number().int() });
export const BroadcastJob = z.object({
  jobId: z.string(),
  incidentId: IncidentId,
  communityId: CommunityId,
  stepId: Slug,
  status: JobStatus,
  drill: z.boolean(),
  total: z.number().int(),
  sent: z.number().int(),
  failed: z.number().int(),
  /** Residents already reached by this step (a redelivered batch); never messaged twice. */
  duplicatesSkipped: z.number().int(),
  /** Residents held back by the contact-frequency cap. */
  frequencyCapped: z.number().int().optional(),
  /** Residents the first channel failed for and a second channel was tried. */
  fallbacks: z.number().int().optional(),
  /** Messages sent and failed per channel. */
  byChannel: z.record(z.string(), ChannelFigures).optional(),
  /** Seconds predicted to reach every recipient at the channels' rates (when the job was cut). */
  predictedSeconds: z.number().nonnegative().optional(),
  /** Seconds since the job started, and the share of recipients settled (sent, failed, skipped). */
  elapsedSeconds: z.number().nonnegative().optional(),
  percentDone: z.number().min(0).max(100).optional(),
  /** Remaining seconds at the rate measured so far (absent before the first batch). */
  remainingSeconds: z.number().nonnegative().optional(),
  /**
   * False while the audience is still being read from the registry (a large one is cut in the background after
   * `broadcast` has answered): `total` then counts the recipients found so far, and the job cannot complete yet.
   */
  audienceResolved: z.boolean().optional(),
});
export type BroadcastJob = z.infer<typeof BroadcastJob>;

export const JobQuery = z.strictObject({ jobId: z.string().min(1) });
/** Several jobs at once (a district polling its communities' warnings); every id must name a job. */
export const JOBS_PER_QUERY = 500;
export const JobsQuery = z.strictObject({ jobIds: z.array(z.string().min(1)).min(1).max(JOBS_PER_QUERY) });
export const JobsResult = z.object({ jobs: z.array(BroadcastJob) });

export const DirectMessageRequest = z.strictObject({
  idempotencyKey: IdempotencyKey,
  incidentId: IncidentId,
  recipientId: Slug,
  /** Clear text only in transit between services; stored encrypted, logged masked. */
  phone: z.string().regex(/^\+?[0-9]{6,15}$/),
  channel: Channel.default('sms'),
  message: LocalizedText,
  drill: z.boolean().default(false),
});
export const DirectMessageResult = z.object({ messageId: z.string(), status: z.enum(['sent', 'failed']), drill: z.boolean() });

export const IncidentQuery = z.strictObject({ incidentId: IncidentId });
export const NotificationSummary = z.object({
  incidentId: IncidentId,
  jobs: z.number().int(),
  total: z.number().int(),
  sent: z.number().int(),
  failed: z.number().int(),
  direct: z.number().int(),
  byCommunity: z.record(z.string(), z.object({ total: z.number().int(), sent: z.number().int() })),
  /** Seconds from a job's start until 50 / 90 / 100 % of its recipients were settled (the slowest job of the incident). */
  timeToReach: z.object({ p50: z.number().nonnegative(), p90: z.number().nonnegative(), p100: z.number().nonnegative() }).optional(),
  byChannel: z.record(z.string(), ChannelFigures).optional(),
  duplicatesSuppressed: z.number().int().optional(),
  frequencyCapped: z.number().int().optional(),
  repliesByKind: z.record(z.string(), z.number().int()).optional(),
  cases: z.object({ opened: z.number().int(), closed: z.number().int(), medianSecondsToClose: z.number().nonnegative().optional() }).optional(),
  /** Vulnerable residents who did not confirm in time and became door-knock tasks. */
  doorKnocks: z.number().int().optional(),
  bulletins: z.number().int().optional(),
});
export type NotificationSummary = z.infer<typeof NotificationSummary>;

/** What a resident answers: safe, needs help (becomes a case for the grid), or information with a category. */
export const ReplyKind = z.enum(['safe', 'need-help', 'info']);
export const ReplyCategory = z.enum(['medical', 'water', 'power', 'food', 'shelter', 'evacuation', 'rumour', 'other']);
export const ReplyRequest = requiredWhen(
  z.strictObject({
    /** The gateway's inbound message id (or another key stable across retries). */
    idempotencyKey: IdempotencyKey,
    incidentId: IncidentId,
    residentId: Slug,
    kind: ReplyKind,
    category: ReplyCategory.optional(),
    /** Free text; stored encrypted, never in events or logs. */
    text: z.string().min(1).max(1000).optional(),
    channel: Channel.default('sms'),
  }),
  { field: 'kind', equals: 'info' },
  ['category'],
  { message: 'an info reply names a category', path: ['category'] },
);
export const ReplyResult = z.object({ replyId: z.string(), kind: ReplyKind, caseId: z.string().optional() });

/** A reply as the world sees it: pseudonymous, no text. */
export const ReplyEvent = z.object({
  replyId: z.string(),
  incidentId: IncidentId,
  residentId: Slug,
  communityId: CommunityId,
  gridId: Slug,
  kind: ReplyKind,
  category: ReplyCategory.optional(),
  vulnerable: z.boolean(),
});

export const CaseStatus = z.enum(['open', 'dispatched', 'closed']);
export const Case = z.object({
  caseId: z.string(),
  incidentId: IncidentId,
  residentId: Slug,
  communityId: CommunityId,
  gridId: Slug,
  category: ReplyCategory,
  status: CaseStatus,
  /** The grid worker's task (personnel). */
  taskId: z.string().optional(),
  openedAt: z.string().datetime(),
  closedAt: z.string().datetime().optional(),
  /** The message that told the resident their case is handled. */
  answerMessageId: z.string().optional(),
});
export type Case = z.infer<typeof Case>;
export const CaseQuery = z.strictObject({ caseId: z.string().min(1).max(200) });

/** The CAP 1.2 document of a broadcast job (one `<info>` per language; status Exercise in drills). */
export const CapRequest = z.strictObject({ jobId: z.string().min(1).max(200) });
export const CapDocument = z.object({ identifier: z.string(), xml: z.string() });

export const BulletinKind = z.enum(['bulletin', 'rumour-rebuttal']);
export const BulletinRequest = z.strictObject({
  idempotencyKey: IdempotencyKey,
  incidentId: IncidentId,
  communityId: CommunityId,
  kind: BulletinKind,
  message: LocalizedText,
  /** For a rebuttal: the rumour being refuted, quoted to residents. */
  rumour: LocalizedText.optional(),
  channels: z.array(Channel).min(1).default(['app-push']),
  severity: Severity,
  drill: z.boolean().default(false),
});
export const Bulletin = z.object({
  bulletinId: z.string(),
  incidentId: IncidentId,
  communityId: CommunityId,
  kind: BulletinKind,
  /** The broadcast job that pushes it to the area's subscribers. */
  jobId: z.string(),
  subscribers: z.number().int(),
});
export const SubscribeRequest = z.strictObject({ residentId: Slug, communityId: CommunityId, subscribed: z.boolean().default(true) });
export const SubscribeResult = z.object({ residentId: Slug, communityId: CommunityId, subscribed: z.boolean() });

/** Time to reach before a broadcast: recipients and seconds at each channel's rate. */
export const PredictRequest = z.strictObject({ communityId: CommunityId, audience: Audience, channels: z.array(Channel).min(1) });
export const Prediction = z.object({ recipients: z.number().int(), vulnerable: z.number().int(), predictedSeconds: z.number().nonnegative(), ratePerSecond: z.number().positive() });

/** A dry run of a plan's notify steps: `predict` for many audiences at once (reads only; at most 20,000). */
export const PreviewRequest = z.strictObject({ audiences: z.array(PredictRequest).min(1).max(20_000) });
export const Preview = z.object({
  /** In the order asked; an audience the broadcast would refuse (e.g. `responders`) carries `refused` and zeros. */
  predictions: z.array(Prediction.extend({ communityId: CommunityId, refused: z.object({ code: z.string(), message: z.string() }).optional() })),
});
export type Preview = z.infer<typeof Preview>;

export const EscalateUnconfirmedRequest = z.strictObject({ idempotencyKey: IdempotencyKey, jobId: z.string().min(1).max(200) });
export const EscalateUnconfirmedResult = z.object({ jobId: z.string(), unconfirmed: z.number().int(), doorKnocks: z.number().int(), taskIds: z.array(z.string()) });

/** Settings of the local simulated gateway (tests, drills, benchmarks): failures and delays per channel. */
export const SimulatorSettings = z.strictObject({
  failureRate: z.partialRecord(Channel, z.number().min(0).max(1)).default({}),
  /** Residents whose send fails on these channels whatever the rate (deterministic failures for tests). */
  failFor: z.array(z.strictObject({ residentId: Slug, channel: Channel })).max(1000).default([]),
  delayMs: z.number().int().min(0).max(60_000).default(0),
});
export const SimulatorAnswer = z.object({ applied: z.boolean() });

/**
 * The per-resident answer for operators: was resident X reached by a step of an incident, on which channel, when.
 * Without `stepId`, every step of the incident that had a broadcast job is looked up.
 */
export const DeliveryQuery = z.strictObject({ incidentId: IncidentId, residentId: Slug, stepId: Slug.optional() });
/** `pending`: claimed by a job whose gateway answer is not recorded yet (it will be, or the retry settles it). */
export const DeliveryStatus = z.enum(['sent', 'failed', 'capped', 'pending']);
export const StepDelivery = z.object({
  stepId: Slug,
  status: DeliveryStatus,
  /** The job that reached (or holds back) the resident for this step. */
  jobId: z.string(),
  channel: Channel.optional(),
  /** The channel that failed first, when the resident was reached on a second one. */
  fallbackFrom: Channel.optional(),
  /** When the gateway answered. */
  at: z.string().datetime().optional(),
  /** The gateway's receipt for the transmission that reached the resident. */
  receiptId: z.string().optional(),
});
export const ResidentDeliveries = z.object({
  incidentId: IncidentId,
  residentId: Slug,
  /** One entry per step that reached the resident or holds them; a step absent here did not reach them. */
  steps: z.array(StepDelivery),
});
export type ResidentDeliveries = z.infer<typeof ResidentDeliveries>;

export const notification = {
  seed: endpoint('notification', 'seed', 'Load residents into the registry (idempotent upsert by id; personal data encrypted).', SeedResidentsRequest, SeedResidentsResult),
  broadcast: endpoint('notification', 'broadcast', 'Start a broadcast job to an audience, streamed in batches through JetStream.', BroadcastRequest, BroadcastJob),
  job: endpoint('notification', 'job', 'Progress of a broadcast job.', JobQuery, BroadcastJob),
  jobs: endpoint('notification', 'jobs', 'Progress of up to 500 broadcast jobs, in the order asked; not_found names any unknown id.', JobsQuery, JobsResult),
  direct: endpoint('notification', 'direct', 'Send one message to one responder (task assignment).', DirectMessageRequest, DirectMessageResult),
  summary: endpoint('notification', 'summary', 'Notification figures for an incident.', IncidentQuery, NotificationSummary),
  reply: endpoint('notification', 'reply', 'An inbound reply from a resident (safe / need help / info); a need becomes a case for the grid.', ReplyRequest, ReplyResult),
  case: endpoint('notification', 'case', 'One case opened from a resident\'s reply.', CaseQuery, Case),
  cap: endpoint('notification', 'cap', 'A broadcast job as a CAP 1.2 alert (zh-CN and en).', CapRequest, CapDocument),
  bulletin: endpoint('notification', 'bulletin', 'Publish an official bulletin or rumour rebuttal to the subscribers of an area.', BulletinRequest, Bulletin),
  subscribe: endpoint('notification', 'subscribe', 'A resident subscribes to (or leaves) an area\'s bulletins.', SubscribeRequest, SubscribeResult),
  predict: endpoint('notification', 'predict', 'Predicted time to reach an audience at the channels\' rates.', PredictRequest, Prediction),
  preview: endpoint('notification', 'preview', "A plan's dry run: recipients, vulnerable among them and predicted seconds for many audiences at once; reads only.", PreviewRequest, Preview),
  escalateUnconfirmed: endpoint('notification', 'escalate-unconfirmed', 'Vulnerable recipients of a job who did not reply safe become door-knock tasks.', EscalateUnconfirmedRequest, EscalateUnconfirmedResult),
  simulator: endpoint('notification', 'simulator', 'Set the simulated gateway\'s failures and delays. Served only on a test or drill sandbox stack (LIFELINE_SANDBOX); refused when a live gateway is wired.', SimulatorSettings, SimulatorAnswer, { sandboxOnly: true }),
  delivery: endpoint('notification', 'delivery', 'Whether a resident was reached by each step of an incident: status, channel, fallback, time and receipt.', DeliveryQuery, ResidentDeliveries),
} as const;

export const notificationEvents = {
  broadcastStarted: event('notification', 'broadcast-started', 'A broadcast job was queued.', BroadcastJob),
  broadcastCompleted: event('notification', 'broadcast-completed', 'Every batch of a broadcast job was sent.', BroadcastJob),
  replyReceived: event('notification', 'reply-received', 'A resident replied (pseudonymous; no text).', ReplyEvent),
  caseOpened: event('notification', 'case-opened', 'A resident\'s need became a case for the grid.', Case),
  caseClosed: event('notification', 'case-closed', 'The grid worker handled a case and the resident was told.', Case),
  bulletinPublished: event('notification', 'bulletin-published', 'A bulletin or rumour rebuttal was pushed to an area.', Bulletin),
} as const;

/**
 * v1 work items (one batch of residents each), no longer produced: since v2 a work item names an audience page
 * ({@link BroadcastPage}). The sender terminates a v1 item left in the stream with a log line naming its job.
 */
export const BatchRecipient = z.object({
  id: Slug,
  language: Language,
  /** Sealed (`pii1:…`), never clear text. */
  phone: z.string(),
  vulnerable: z.boolean(),
  gridId: Slug.optional(),
  buildingId: Slug.optional(),
});
export const BroadcastBatch = z.object({
  jobId: z.string(),
  batch: z.number().int().nonnegative(),
  residentIds: z.array(Slug).min(1).max(1000),
  /** What the sender needs of each resident (phones sealed), so it reads nothing from the store to send. */
  recipients: z.array(BatchRecipient).max(1000).optional(),
});
export const BROADCAST_BATCH_SUBJECT = 'lifeline.work.notification.batch';

/**
 * v2 work item: one audience page of a job (`${communityId}/v/<n>` or `/o/<n>`), no per-resident data; the sender
 * reads the page and filters it by the job's audience. Nats-Msg-Id `${jobId}:${pageId}`.
 */
export const BroadcastPage = z.object({
  v: z.literal(2),
  jobId: z.string(),
  pageId: z.string().min(1).max(200),
  /** Recipients the cut counted on this page (the sender corrects the job's total by what it finds). */
  expected: z.number().int().nonnegative(),
  /** Vulnerable pages of the job that must be counted before this page is transmitted (0 for a vulnerable page). */
  after: z.number().int().nonnegative(),
  /** Only these residents of the page (a bulletin reaches an area's subscribers). */
  only: z.array(Slug).max(1000).optional(),
});
/** Anything the sender may find on the work subject: a v2 page, or a v1 batch left from before the upgrade. */
export const BroadcastWork = z.union([BroadcastPage, BroadcastBatch]);
