/**
 * One Jest run for the whole repository, in ESM mode (NestJS 12 is ESM-only).
 * `nestjs-cachex` and its subpaths resolve to the library's sources, so tests
 * need no build; `npm run check:package` checks the built package instead.
 * @type {import('jest').Config}
 */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  moduleNameMapper: {
    '^nestjs-cachex$': '<rootDir>/packages/nestjs-cachex/src/index.ts',
    '^nestjs-cachex/(redis|memcached|session|testing|prometheus|terminus)$':
      '<rootDir>/packages/nestjs-cachex/src/$1/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  // The package check's apps run their own Jest, against the packed package.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/package/apps/'],
  testMatch: ['<rootDir>/packages/*/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/test/setup/global-setup.mjs',
  globalTeardown: '<rootDir>/test/setup/global-teardown.mjs',
  reporters: ['default', '<rootDir>/test/setup/summary-reporter.mjs'],
  testTimeout: 30000,
  maxWorkers: 2,
};
