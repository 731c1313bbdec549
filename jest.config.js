/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
    // States.Hash as Step Functions computes it (lib/local/engine-hash-fix.ts).
    'aws-local-stepfunctions/build/main\\.node\\.cjs$': '<rootDir>/test/engine-hash-transform.js',
  },
  transformIgnorePatterns: ['/node_modules/(?!aws-local-stepfunctions/build/main\\.node\\.cjs$)'],
  setupFiles: ['<rootDir>/test/setup-polyfills.ts', '<rootDir>/test/setup-fast-check.ts'],
  testTimeout: 60000,
};
