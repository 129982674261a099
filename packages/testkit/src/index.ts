/**
 * @lifeline/testkit — what tests, benches and drills share: the synthetic city (also `./city`), one poll helper,
 * an admin NATS connection and access to the running stack (its endpoints, an HTTP client with tokens, Mongo and
 * Temporal clients).
 */
export * from './city';
export { pollUntil, type PollOptions } from './poll';
export { connectAdmin, env, http, killHard, stackEnv, testStack, tokenFor, waitForIncident, withMongo, withNats, withTemporal, type HttpAnswer } from './stack';
