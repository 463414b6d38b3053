// jest runs the TypeScript tests through ts-jest, which type-checks them (and what they import) as it goes.
module.exports = {
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: {
    // tsconfig.json's node16 modules: these files are CommonJS (package.json has no "type": "module"),
    // so ts-jest's note on hybrid module kinds (151002) does not apply to them.
    '^.+\\.ts$': ['ts-jest', { diagnostics: { ignoreCodes: [151002] } }],
  },
};
