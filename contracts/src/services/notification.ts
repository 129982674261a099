import { z } from 'zod';
import { CommunityId, IdempotencyKey, IncidentId, LocalizedText, Severity, Slug } from '../common';
import { endpoint, event } from '../define';

export const Channel = z.enum(['sms', 'app-push', 'loudspeaker', 'group-chat', 'door-knock']);
export type Channel = z.infer<typeof Channel>;
export const Vulnerability = z.enum(['elderly-alone', 'disabled', 'child', 'chronic-illness', 'pregnant']);
export const AudienceGroup = z.enum(['everyone', 'vulnerable', 'responders']);
export const Language = z.enum(['zh', 'en']);

export const ResidentRecord = z.object({
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

export const SeedResidentsRequest = z.object({ residents: z.array(ResidentRecord).max(20000) });
export const SeedResidentsResult = z.object({ residents: z.number().int() });

export const BroadcastRequest = z.object({
  idempotencyKey: IdempotencyKey,
  incidentId: IncidentId,
  stepId: Slug,
  communityId: CommunityId,
  audience: z.object({ groups: z.array(AudienceGroup).min(1) }),
  channels: z.array(Channel).min(1),
  message: LocalizedText,
  severity: Severity,
  drill: z.boolean().default(false),
});

export const JobStatus = z.enum(['queued', 'sending', 'completed']);
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
});
export type BroadcastJob = z.infer<typeof BroadcastJob>;

export const JobQuery = z.object({ jobId: z.string().min(1) });

export const DirectMessageRequest = z.object({
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

export const IncidentQuery = z.object({ incidentId: IncidentId });
export const NotificationSummary = z.object({
  incidentId: IncidentId,
  jobs: z.number().int(),
  total: z.number().int(),
  sent: z.number().int(),
  failed: z.number().int(),
  direct: z.number().int(),
  byCommunity: z.record(z.string(), z.object({ total: z.number().int(), sent: z.number().int() })),
});
export type NotificationSummary = z.infer<typeof NotificationSummary>;

export const notification = {
  seed: endpoint('notification', 'seed', 'Load residents into the registry (idempotent upsert by id; personal data encrypted).', SeedResidentsRequest, SeedResidentsResult),
  broadcast: endpoint('notification', 'broadcast', 'Start a broadcast job to an audience, streamed in batches through JetStream.', BroadcastRequest, BroadcastJob),
  job: endpoint('notification', 'job', 'Progress of a broadcast job.', JobQuery, BroadcastJob),
  direct: endpoint('notification', 'direct', 'Send one message to one responder (task assignment).', DirectMessageRequest, DirectMessageResult),
  summary: endpoint('notification', 'summary', 'Notification figures for an incident.', IncidentQuery, NotificationSummary),
} as const;

export const notificationEvents = {
  broadcastStarted: event('notification', 'broadcast-started', 'A broadcast job was queued.', BroadcastJob),
  broadcastCompleted: event('notification', 'broadcast-completed', 'Every batch of a broadcast job was sent.', BroadcastJob),
} as const;

/** Work items the notification service streams to itself: one message per batch of residents. */
export const BroadcastBatch = z.object({ jobId: z.string(), batch: z.number().int().nonnegative(), residentIds: z.array(Slug).min(1).max(1000) });
export const BROADCAST_BATCH_SUBJECT = 'lifeline.work.notification.batch';
