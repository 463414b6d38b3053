// jest's configuration, here rather than in package.json so that the published package.json does
// not carry it. The tests are TypeScript, compiled by esbuild (no type-check: npm run typecheck
// does that); `voting-mesh` resolves to the library's source, as tsconfig.json's paths say.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  maxWorkers: 2,
  roots: ['<rootDir>/__tests__', '<rootDir>/examples', '<rootDir>/templates'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': '<rootDir>/scripts/jest-esbuild-transform.js' },
  moduleNameMapper: { '^voting-mesh$': '<rootDir>/lib/index.ts' },
  moduleFileExtensions: ['ts', 'js', 'json'],
};
