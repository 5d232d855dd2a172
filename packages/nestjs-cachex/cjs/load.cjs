'use strict';
/**
 * One copy of nestjs-cachex per process. Where Node can require() an ES module
 * (20.19 and later), a CommonJS caller gets the ES module build itself: the
 * same classes, injection tokens and metadata keys an `import` gets, so an app
 * that loads the package both ways still has one CacheBackend, one
 * CacheXModule. Where it cannot (Jest's CommonJS runtime, older Node), nothing
 * in the process can load the ES build either, and the CommonJS build serves
 * alone.
 */
module.exports = function load(entry) {
  try {
    return require(`../dist/esm/${entry}.js`);
  } catch (error) {
    if (!cannotRequireEsm(error)) throw error;
    return require(`../dist/commonjs/${entry}.js`);
  }
};

/** Whether `require` failed because this runtime cannot load ES modules through it. */
function cannotRequireEsm(error) {
  if (!error || typeof error !== 'object') return false;
  if (error.code === 'ERR_REQUIRE_ESM' || error.code === 'ERR_REQUIRE_ASYNC_MODULE') return true;
  const message = String(error.message);
  return (
    message.includes('Must use import to load ES Module') ||
    (error.name === 'SyntaxError' &&
      /Cannot use import statement|Unexpected token 'export'|import\.meta/.test(message))
  );
}
