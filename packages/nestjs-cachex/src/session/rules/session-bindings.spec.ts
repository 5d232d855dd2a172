import { type HttpRequestLike } from '../../http/request.js';
import { bindSession, checkBindings, clientOf } from './session-bindings.js';
import { type SessionRecord } from '../session-data.js';
import { SessionBindingError } from '../session.errors.js';

const both = { ipBinding: true, userAgentBinding: true };
const none = { ipBinding: false, userAgentBinding: false };

const record = (extra: Partial<SessionRecord> = {}): SessionRecord => ({
  v: 1,
  id: 'id',
  data: {},
  flash: [],
  createdAt: 0,
  lastAccessedAt: 0,
  expiresAt: 1,
  ...extra,
});

describe('clientOf', () => {
  it('reads req.ip and the User-Agent of a request, the empty one when absent', () => {
    const req: HttpRequestLike = { headers: { 'user-agent': 'UA' }, ip: '1.2.3.4' };
    expect(clientOf(req)).toEqual({ ip: '1.2.3.4', userAgent: 'UA' });
    expect(clientOf({ headers: {} })).toEqual({ ip: undefined, userAgent: '' });
    expect(clientOf({ ip: '5.6.7.8' })).toEqual({ ip: '5.6.7.8' });
    expect(clientOf(undefined)).toEqual({});
  });
});

describe('bindSession', () => {
  it('records the bound fields only, replacing earlier ones', () => {
    const r = record({ ip: 'old', userAgent: 'old' });
    bindSession(r, { ip: '1.2.3.4', userAgent: 'UA' }, { ...none, ipBinding: true }, 'create');
    expect(r.ip).toBe('1.2.3.4');
    expect(r).not.toHaveProperty('userAgent');
  });

  it('throws CACHEX_SESSION_BINDING naming the option when the client is unknown', () => {
    expect(() => bindSession(record(), { userAgent: 'UA' }, both, 'create')).toThrow(
      expect.objectContaining({
        code: 'CACHEX_SESSION_BINDING',
        message: expect.stringContaining('SessionManager.create(): ipBinding is on'),
      }),
    );
    expect(() => bindSession(record(), { ip: '1.2.3.4' }, both, 'regenerate')).toThrow(
      'SessionManager.regenerate(): userAgentBinding is on, so pass the request (or { userAgent })',
    );
  });
});

describe('checkBindings', () => {
  const bound = record({ ip: '1.2.3.4', userAgent: 'UA' });

  it('accepts the bound client and ignores bindings that are off', () => {
    expect(() => checkBindings(bound, { ip: '1.2.3.4', userAgent: 'UA' }, both)).not.toThrow();
    expect(() => checkBindings(record(), { ip: 'x' }, none)).not.toThrow();
  });

  it('refuses another IP first, then another User-Agent', () => {
    expect(() => checkBindings(bound, { ip: '9.9.9.9', userAgent: 'other' }, both)).toThrow(
      expect.objectContaining({ reason: expect.stringContaining('IP address 9.9.9.9') }),
    );
    expect(() => checkBindings(bound, { ip: '1.2.3.4', userAgent: 'other' }, both)).toThrow(
      SessionBindingError,
    );
  });

  it('refuses a session that was never bound, even to an unknown client', () => {
    expect(() => checkBindings(record(), {}, { ...none, userAgentBinding: true })).toThrow(
      SessionBindingError,
    );
  });
});
