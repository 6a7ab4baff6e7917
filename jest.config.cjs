// Two projects: `unit` runs anywhere in seconds; `system` drives the real kernel sensor,
// rsyslog, pwsh and Wine, needs root plus the packages scripts/setup.sh installs, and runs
// serially (npm test passes --runInBand for it) because its tests share the kernel and ports.
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2024' }, module: { type: 'commonjs' } }],
};
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/engine/src/**/*.test.ts', '<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      displayName: 'system',
      testEnvironment: 'node',
      // A system test waits on real services (a supervisor restart, the kernel sensor, rsyslog)
      // with its own descriptive waitFor deadlines; jest's 5 s default would fire first on a
      // busy CI machine and report a bare timeout instead. (A project's `testTimeout` is not
      // applied by jest 30, hence the setup file.)
      setupFilesAfterEnv: ['<rootDir>/test/support/system-timeout.ts'],
      transform,
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/unit/'],
    },
  ],
};
