import type { incentivesContract } from '@lifeline/contracts';

/** One participant's awards within an incident, as the store groups them. */
export interface ParticipantTally {
  participantId: string;
  points: number;
  awards: number;
}

/** Group award entries by participant: points and number of awards each. */
export function tallyByParticipant(awards: readonly { participantId: string; points: number }[]): ParticipantTally[] {
  const byParticipant = new Map<string, ParticipantTally>();
  for (const { participantId, points } of awards) {
    const t = byParticipant.get(participantId) ?? { participantId, points: 0, awards: 0 };
    byParticipant.set(participantId, { participantId, points: t.points + points, awards: t.awards + 1 });
  }
  return [...byParticipant.values()];
}

export function summarise(incidentId: string, tallies: readonly ParticipantTally[]): incentivesContract.IncentivesSummary {
  return {
    incidentId,
    awards: tallies.reduce((n, t) => n + t.awards, 0),
    points: tallies.reduce((n, t) => n + t.points, 0),
    participants: tallies.filter((t) => t.awards > 0).length,
  };
}

export interface LeaderboardRow extends ParticipantTally {
  rank: number;
}

/** Most points first; ties share a rank and are listed by participant id so the order is stable. */
export function leaderboard(tallies: readonly ParticipantTally[], limit: number): LeaderboardRow[] {
  const sorted = [...tallies].sort((a, b) => b.points - a.points || a.participantId.localeCompare(b.participantId));
  const rows: LeaderboardRow[] = [];
  sorted.slice(0, limit).forEach((t, i) => {
    const prev = rows[i - 1];
    rows.push({ ...t, rank: prev && prev.points === t.points ? prev.rank : i + 1 });
  });
  return rows;
}
