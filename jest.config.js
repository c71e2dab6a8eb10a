/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts', '.tsx'],
  moduleNameMapper: {'^(\\.{1,2}/.*)\\.js$': '$1'},
  transform: {
    '^.+\\.tsx?$': ['ts-jest', {useESM: true, tsconfig: 'tsconfig.test.json'}],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts?(x)'],
  testPathIgnorePatterns: ['/node_modules/', '/test/fixtures/'],
  testTimeout: 60000,
  // many suites wait on subprocesses (the CLI, daemons, clang): two workers keep both cores busy
  maxWorkers: 2,
}
