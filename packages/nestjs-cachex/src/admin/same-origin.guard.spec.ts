import { isSameOriginRequest } from './same-origin.guard.js';

const req = (headers: Record<string, string>) => ({
  headers: { host: 'app.test:3000', ...headers },
});

describe('isSameOriginRequest', () => {
  it.each([
    [{}, true],
    [{ 'sec-fetch-site': 'same-origin' }, true],
    [{ 'sec-fetch-site': 'none' }, true],
    [{ origin: 'http://app.test:3000' }, true],
    [{ origin: 'https://APP.test:3000', 'sec-fetch-site': 'same-origin' }, true],
    [{ 'sec-fetch-site': 'cross-site' }, false],
    [{ 'sec-fetch-site': 'same-site' }, false],
    [{ origin: 'http://evil.test' }, false],
    [{ origin: 'http://app.test:3001' }, false],
    [{ origin: 'null' }, false],
    [{ origin: 'http://app.test:3000', 'sec-fetch-site': 'cross-site' }, false],
  ])('%j: %s', (headers, allowed) => {
    expect(isSameOriginRequest(req(headers))).toBe(allowed);
  });
});
