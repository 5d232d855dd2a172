/**
 * The dual-package hazard, checked in an installed app (check.mjs copies this
 * file into it): one process loads 'nestjs-cachex' and 'nestjs-cachex/session'
 * through `require` and through `import`, in the order given
 * (`require-first` or `import-first`), and must get the same classes both
 * ways. Two copies would mean two CacheBackend tokens: a backend provided by
 * one would not be found by the other's module.
 *
 *   node one-copy.mjs require-first
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const order = process.argv[2];
const ways = {
  require: async (specifier) => require(specifier),
  import: (specifier) => import(specifier),
};
const orders = {
  'require-first': ['require', 'import'],
  'import-first': ['import', 'require'],
};
const sequence = orders[order];
if (!sequence) throw new Error(`usage: node one-copy.mjs require-first|import-first, got ${order}`);

const loaded = {};
for (const way of sequence) {
  loaded[way] = {
    main: await ways[way]('nestjs-cachex'),
    session: await ways[way]('nestjs-cachex/session'),
  };
}

const compared = [
  ['main', 'CacheBackend'],
  ['main', 'CacheXModule'],
  ['session', 'SessionManager'],
];
const problems = [];
for (const [entry, name] of compared) {
  const [a, b] = [loaded.require[entry][name], loaded.import[entry][name]];
  if (typeof a !== 'function') problems.push(`require: ${entry} has no class ${name}`);
  else if (a !== b) problems.push(`${name} differs between require and import`);
}
const commonjsBuild = Object.keys(require.cache).filter((file) =>
  /nestjs-cachex[\\/]dist[\\/]commonjs[\\/]/.test(file),
);
if (commonjsBuild.length > 0) {
  problems.push(`the CommonJS build was loaded as well: ${commonjsBuild.slice(0, 3).join(', ')}`);
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(compared.map(([, name]) => name).join(', '));
