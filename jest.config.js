// Tests show their tier in their name: *.unit.test.ts (no infrastructure), *.int.test.ts (the real
// local stack) and *.e2e.test.ts (through HTTP and back out of Kafka). `npm test` runs them all.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  testPathIgnorePatterns: ['/node_modules/', '/.toolchain/', '/.stack/', '/dist/'],
  modulePathIgnorePatterns: ['<rootDir>/.toolchain/', '<rootDir>/.stack/', '<rootDir>/dist/'],
  testMatch: ['**/*.unit.test.ts', '**/*.int.test.ts', '**/*.e2e.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2023' }, module: { type: 'commonjs' } }],
    // jose ships ES modules only; Node 24 loads them with require(), jest's module system does not.
    '/node_modules/jose/.+\\.js$': ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2023' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  // Integration tests wait on a real broker and registry; the default 5 s is too tight on 2 cores.
  testTimeout: 60_000,
  // Open handles are a bug in the test (a client left connected), not something to wait out.
  forceExit: false,
};
