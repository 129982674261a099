/** One jest run for the whole monorepo: unit tests first-class, integration and e2e against the real local stack. */
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  // jose (OIDC token verification) ships ES modules only: Node loads them with require(esm), jest's runtime cannot.
  '/node_modules/jose/.+\\.js$': ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
};
const transformIgnorePatterns = ['/node_modules/(?!\\.pnpm/jose@|jose/)'];
const common = { transform, transformIgnorePatterns, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'] };
const stack = { globalSetup: '<rootDir>/test/harness/global-setup.ts', globalTeardown: '<rootDir>/test/harness/global-teardown.ts' };
const CITYWIDE = '/test/e2e/engine-citywide.test.ts';
module.exports = {
  // testTimeout is a global option (projects ignore it); integration tests wait on a real stack.
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/**/test/**/*.unit.test.ts'], testPathIgnorePatterns: ['/node_modules/'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/**/test/**/*.int.test.ts', '<rootDir>/test/e2e/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', CITYWIDE],
      ...stack,
    },
    // The city-wide drill (~15 min on 2 cores) is not part of `npm test`: `jest --selectProjects citywide --runInBand`.
    // `npm run bench` measures the city-wide drill at full size.
    { ...common, displayName: 'citywide', testMatch: [`<rootDir>${CITYWIDE}`], ...stack },
  ],
};
