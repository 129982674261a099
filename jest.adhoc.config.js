/**
 * Runs integration tests against infrastructure you started yourself (no global setup): export NATS_URL,
 * NATS_USER, NATS_PASSWORD, MONGO_URL, TEMPORAL_ADDRESS, LIFELINE_PII_KEY… first.
 *   ./node_modules/.bin/jest -c jest.adhoc.config.js services/supplies
 */
const base = require('./jest.config.js').projects[1];
const { globalSetup, globalTeardown, displayName, ...rest } = base;
module.exports = { ...rest, rootDir: __dirname };
