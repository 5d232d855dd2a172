import { globToRegExp } from './glob.js';

describe('globToRegExp', () => {
  it.each([
    ['/users/*', '/users/1', true],
    ['/users/*', '/users/1/posts', true],
    ['/users/*', '/user', false],
    ['/users/?', '/users/7', true],
    ['/users/?', '/users/42', false],
    ['/v[12]/x', '/v2/x', true],
    ['/v[12]/x', '/v3/x', false],
    ['/v[!12]/x', '/v3/x', true],
    ['/a.b', '/aXb', false],
    ['/a+(b)', '/a+(b)', true],
    ['/literal\\*', '/literal*', true],
    ['/literal\\*', '/literalX', false],
  ])('%s against %s is %s', (glob, path, expected) => {
    expect(globToRegExp(glob).test(path)).toBe(expected);
  });
});
