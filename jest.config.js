// Zone-less log times (syslog, Exim) are local time: pin it, whatever the machine's zone.
// (Set here, before workers start: jest gives each test file its own copy of process.env.)
process.env.TZ = 'UTC';

/** Tests run TypeScript through swc (no type-check; `npm run build` type-checks first). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  testTimeout: 60000,
  setupFiles: ['<rootDir>/test/helpers/bounded-regexp-setup.ts'],
};
