/** @type {import('jest').Config} */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  transform: { '^.+\\.(t|j)s$': swc },
  // jose is ESM-only: let swc turn it into CommonJS for jest.
  // ESM-only packages (jose, pg-boss and its dependencies): swc turns them into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!(jose|pg-boss|serialize-error|non-error|cron-parser|luxon|rrule)/)'],
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  // Two cores here: one worker per core; each e2e file opens its own database.
  maxWorkers: 2,
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.js'],
};
