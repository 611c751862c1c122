/** The browser suite (`npm run test:e2e`): a real server, Debian's Chromium driven by playwright-core. */
const base = require('../../jest.config.js');

module.exports = {
  ...base,
  rootDir: '../..',
  testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
  // No shared test database: each spec starts the built service on a fresh embedded one.
  globalSetup: undefined,
  maxWorkers: 1,
  testTimeout: 180000,
};
