import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, parseCodecKeys } from '@lifeline/platform/codec';
import { payloadDecoder, toHistoryEvent } from '../src/review/histories';
import { incentivesFigures, notificationFigures, personnelFigures, readinessGrids, suppliesFigures } from '../src/review/service-figures';

const codec = new AesGcmPayloadCodec(parseCodecKeys(`k1:${randomBytes(32).toString('hex')}`));
const encrypted = async (value: unknown) => (await codec.encode([defaultPayloadConverter.toPayload(value)]))[0]!;
const at = { seconds: 1_795_420_800, nanos: 250_000_000 };

describe('reading Temporal history events for the review', () => {
  it('decrypts activity inputs with the Lifeline codec and keeps the scheduled event id', async () => {
    const raw = { eventId: 7, eventTime: at, activityTaskScheduledEventAttributes: { activityType: { name: 'dispatchResponder' }, input: { payloads: [await encrypted({ role: 'grid-worker', stepId: 's1' })] } } };
    expect(await toHistoryEvent(raw, payloadDecoder(codec))).toEqual({
      type: 'activity-scheduled',
      at: new Date(1_795_420_800_250).toISOString(),
      scheduledId: '7',
      activityType: 'dispatchResponder',
      input: { role: 'grid-worker', stepId: 's1' },
    });
  });

  it('reads a local activity from its marker: type and schedule time from the bookkeeping, the record decrypted', async () => {
    const data = defaultPayloadConverter.toPayload({ seq: 3, attempt: 1, activity_id: '3', activity_type: 'reserveSupplies', complete_time: { seconds: 1_795_420_799, nanos: 0 }, original_schedule_time: { seconds: 1_795_420_798, nanos: 500_000_000 } });
    const record = { reservationId: 'r1', status: 'reserved', units: 4, shortfall: 1, stepId: 'reserve-tents' };
    const raw = { eventId: 9, eventTime: at, markerRecordedEventAttributes: { markerName: 'core_local_activity', details: { data: { payloads: [data] }, result: { payloads: [await encrypted(record)] } } } };
    expect(await toHistoryEvent(raw, payloadDecoder(codec))).toEqual({
      type: 'local-activity',
      at: new Date(1_795_420_800_250).toISOString(),
      scheduledAt: new Date(1_795_420_798_500).toISOString(),
      activityType: 'reserveSupplies',
      result: record,
    });
    const failed = { eventTime: at, markerRecordedEventAttributes: { markerName: 'core_local_activity', details: { data: { payloads: [data] } }, failure: { message: 'insufficient stock' } } };
    expect(await toHistoryEvent(failed, payloadDecoder(codec))).toMatchObject({ type: 'local-activity', activityType: 'reserveSupplies', failure: 'insufficient stock' });
    // Patch markers are not activities.
    const patch = { eventTime: at, markerRecordedEventAttributes: { markerName: 'core_patch', details: {} } };
    expect(await toHistoryEvent(patch, payloadDecoder(codec))).toBeUndefined();
  });

  it('without the key an encrypted payload reads as unknown instead of failing the report', async () => {
    const raw = { eventId: 8, eventTime: at, workflowExecutionSignaledEventAttributes: { signalName: 'taskProgress', input: { payloads: [await encrypted({ taskId: 't' })] } } };
    expect(await toHistoryEvent(raw, payloadDecoder(undefined))).toMatchObject({ type: 'signal', name: 'taskProgress', input: undefined });
  });

  it('reads phase changes from search-attribute upserts and operator commands from accepted updates', async () => {
    const decode = payloadDecoder(codec);
    const upsert = { eventTime: at, upsertWorkflowSearchAttributesEventAttributes: { searchAttributes: { indexedFields: { LifelinePhase: defaultPayloadConverter.toPayload('respond') } } } };
    expect(await toHistoryEvent(upsert, decode)).toMatchObject({ type: 'search-attributes', values: { LifelinePhase: ['respond'] } });
    const update = {
      eventTime: at,
      workflowExecutionUpdateAcceptedEventAttributes: { acceptedRequest: { meta: { updateId: 'u1', identity: 'cc' }, input: { name: 'command', args: { payloads: [await encrypted({ type: 'advance', reason: 'ready' })] } } } },
    };
    expect(await toHistoryEvent(update, decode)).toMatchObject({ type: 'update-accepted', updateId: 'u1', name: 'command', args: [{ type: 'advance', reason: 'ready' }] });
    expect(await toHistoryEvent({ eventTime: at, timerStartedEventAttributes: { timerId: '3', startToFireTimeout: { seconds: 90, nanos: 500_000_000 } } }, decode)).toMatchObject({ type: 'timer-started', timerId: '3', seconds: 90.5 });
    expect(await toHistoryEvent({ eventTime: at, workflowTaskCompletedEventAttributes: {} }, decode)).toBeUndefined();
  });
});

describe('the services’ summaries as review figures', () => {
  it('supplies: per-item figures, shortfalls per community and item, unusable lots', () => {
    expect(
      suppliesFigures({
        byItem: { tent: { reserved: 1, issued: 1, returned: 1, released: 0, shortfall: 2 } },
        shortfallByCommunity: { c1: { tent: 2 } },
        unusableLots: [{ lotId: 'l1', depotId: 'd1', itemCode: 'medicine-kit', quantity: 4, reason: 'expired' }],
      }),
    ).toEqual({
      byItem: { tent: { reserved: 1, issued: 1, returned: 1, shortfall: 2 } },
      shortfalls: [{ communityId: 'c1', itemCode: 'tent', missing: 2 }],
      staleStock: [{ itemCode: 'medicine-kit', depotId: 'd1', lotId: 'l1', quantity: 4, reason: 'expired' }],
    });
    expect(suppliesFigures({ reserved: 3 })).toEqual({});
  });

  it('personnel, notification and incentives: only the figures the service gave', () => {
    expect(personnelFigures({ nonAcknowledging: ['p1'], hoursByParticipant: { p2: 2, p3: 1.5 } })).toEqual({ nonAcknowledging: [{ personId: 'p1' }], hours: 3.5 });
    expect(notificationFigures({ failed: 1, timeToReach: { p50: 1, p90: 2, p100: 3 }, repliesByKind: { safe: 4, 'need-help': 1 }, cases: { opened: 1, closed: 1, medianSecondsToClose: 30 } })).toEqual({
      failed: 1,
      timeToReach: { p50: 1, p90: 2, p100: 3 },
      replies: 5,
      cases: { opened: 1, closed: 1, medianSecondsToClose: 30 },
    });
    expect(incentivesFigures({ awards: 2, points: 40, participants: 2, volunteerHours: 4, topParticipants: ['p2'] })).toEqual({ awards: 2, points: 40, participants: 2, hours: 4, top: [{ participantId: 'p2', points: 0 }] });
  });

  it('readiness: span findings become the grids they name', () => {
    const grids = readinessGrids({
      communities: [
        { communityId: 'c1', findings: [{ code: 'span-people', subjects: ['g1'], value: 600, limit: 400 }, { code: 'skill-missing', subjects: ['first-aid'] }] },
        { communityId: 'c2', findings: [{ code: 'span-households', subjects: [], value: 300 }] },
      ],
    });
    expect(grids.grids).toEqual([
      { gridId: 'g1', communityId: 'c1', span: 600, tooWide: true },
      { gridId: 'c2', communityId: 'c2', span: 300, tooWide: true },
    ]);
  });
});
