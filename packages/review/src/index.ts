/** @lifeline/review — the review phase as pure functions: report model, resilience indicators, plan-revision rules, HTML. */
export type { HistoryEvent, Execution, TaskFacts, BroadcastFacts, ReservationFacts } from './history';
export { taskFacts, broadcastFacts, reservationFacts, activityCalls } from './history';
export { DEFAULT_THRESHOLDS, type Thresholds, type ServiceFigures, type ReportInputs } from './inputs';
export { buildReport, incidentTimeline, acknowledgementsByRole, warningFigures, suppliesFigures } from './report';
export { detectFindings } from './findings';
export { resilienceOf } from './resilience';
export { proposeRevisions, raiseStockTargets, addBackups, splitSpans, shortenDeadlines, addChannels, locateStep, stockTargetsOf } from './proposals';
export { applyProposals } from './patch';
export { renderReportHtml, type ReportLanguage } from './html';
