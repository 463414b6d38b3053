// Jest transformer: TypeScript -> CommonJS with esbuild, without type-checking.
// Type-checking is a separate step (`npm run typecheck`, run by .ci/run), so the
// 1.2 MB of generated Istio bindings under imports/ are never type-checked per test run.
'use strict';
const crypto = require('crypto');
const { transformSync } = require('esbuild');

// import() becomes require(): jest runs CommonJS in a vm without --experimental-vm-modules.
const OPTIONS = {
  loader: 'ts',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  supported: { 'dynamic-import': false },
};

module.exports = {
  process(source, filename) {
    const { code } = transformSync(source, { ...OPTIONS, sourcefile: filename });
    return { code };
  },
  getCacheKey(source, filename) {
    return crypto
      .createHash('sha256')
      .update(require('esbuild/package.json').version)
      .update('\0')
      .update(JSON.stringify(OPTIONS))
      .update('\0')
      .update(filename)
      .update('\0')
      .update(source)
      .digest('hex');
  },
};
