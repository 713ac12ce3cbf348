/** Jest 30 + ts-jest in ESM mode. Run through `npm test` (needs --experimental-vm-modules). */
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  // Minutes-long tests (debootstrap under QEMU): `npm run test:slow` only.
  testPathIgnorePatterns: process.env.KILN_SLOW_TESTS ? ['/node_modules/'] : ['/node_modules/', '/__tests__/slow/'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  testTimeout: 120000,
  // e2e files start their own registries; two workers match the two cores.
  maxWorkers: 2,
};
