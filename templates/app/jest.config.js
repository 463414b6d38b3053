// jest runs the TypeScript tests through ts-jest, which type-checks them (and what they import) as it goes.
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};
