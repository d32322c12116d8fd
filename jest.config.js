/** Jest runs the TypeScript tests through ts-jest with the dev tsconfig (jsii owns tsconfig.json). */
const os = require('os');

module.exports = {
  // Jest's default (cores - 1) is one worker on the project's 2-core CI machines, but an e2e file
  // waits on Terraform, SSH and the shims much of the time (a serial fault run: 5-7 s of CPU in
  // 13-16 s), and each file has its own fake hosts (namespaces, ports, temporary directories),
  // Terraform init cache and null provider double: two files run at once.
  maxWorkers: Math.max(2, os.availableParallelism() - 1),
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.dev.json', diagnostics: { warnOnly: false } }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 60000,
  setupFilesAfterEnv: ['<rootDir>/test/setup.js'],
  // FLAVOUR=cdktn: the same tests on the cdktn flavour's build (test/support/flavour-resolver.js).
  ...(process.env.FLAVOUR ? { resolver: '<rootDir>/test/support/flavour-resolver.js' } : {}),
};
