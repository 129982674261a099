/**
 * @lifeline/testkit — what tests, benches and drills share: the synthetic city (also `./city`), one poll helper,
 * an admin NATS connection and access to the running stack (its endpoints, an HTTP client with tokens, Mongo and
 * Temporal clients), and a reader of the processes' Prometheus metrics.
 */
export * from './city';
export { pollUntil, type PollOptions } from './poll';
export { freePort } from './ports';
export { parsePrometheus, scrapeMetrics, type PromSample, type PromScrape } from './metrics';
export { connectAdmin, env, http, killHard, processArgs, publishApprovedPlan, stackEnv, testStack, tokenFor, waitForIncident, withMongo, withNats, withTemporal, type HttpAnswer } from './stack';
