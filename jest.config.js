/** @type {import('jest').Config} */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: [
    '<rootDir>/src/**/*.spec.ts',
    '<rootDir>/test/**/*.int-spec.ts',
    '<rootDir>/test/**/*.e2e-spec.ts',
    // Real headless Chromium (the one @sparticuz/chromium ships; CHROMIUM_PATH to override), see test/browser.
    '<rootDir>/test/**/*.browser-spec.ts',
  ],
  transform: {
    '/node_modules/content-disposition/.+\\.js$': [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022' }, isolatedModules: true },
    ],
    '^.+\\.ts$': [
      'ts-jest',
      {
        tsconfig: 'tsconfig.json',
        // The same OpenAPI metadata as `nest build` produces.
        astTransformers: {
          before: [
            {
              path: '<rootDir>/test/support/swagger-transformer.js',
              options: { classValidatorShim: true, introspectComments: true, dtoFileNameSuffix: ['.dto.ts'] },
            },
          ],
        },
      },
    ],
  },
  // content-disposition (under @fastify/static, which serves /docs) ships only as an ES module,
  // which Node 20 requires natively but jest's module system does not: compile it to CommonJS.
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 3,
};
