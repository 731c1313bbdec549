/**
 * `npm run test:package`: the package as users get it (npm pack, installed into a
 * fresh CDK app). Slow (an npm install), so outside `npm test`; .ci/run runs both.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/package'],
  testMatch: ['**/*.pkgtest.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 15 * 60 * 1000,
};
