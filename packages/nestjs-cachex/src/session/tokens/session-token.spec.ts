/**
 * Properties every token format holds (`SessionTokenCodec`): a token
 * round-trips, and no spoiled token, no token of another secret and no
 * hostile string ever verifies. Run against both formats; JWT with fewer
 * runs, as it is slower.
 */
import fc from 'fast-check';
import { hostileText } from '../../../../../test/support/hostile-text.js';
import { resolveSessionOptions } from '../session-options.js';
import { SessionExpiredError, SessionInvalidError } from '../session.errors.js';
import { JwtTokenCodec, loadJwtService } from './jwt-token.js';
import { type SessionTokenCodec } from './session-token.js';
import { SimpleTokenCodec } from './simple-token.js';

/** A session id as `newSessionId` makes them: 32 bytes, base64url. */
const sessionId = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((bytes) => Buffer.from(bytes).toString('base64url'));
/** A secret as the options accept them: at least 32 characters, any Unicode. */
const secret = fc.string({ unit: 'binary', minLength: 32, maxLength: 40 });
/**
 * Two secrets that are really different keys: HMAC pads keys with zero bytes,
 * so a secret and itself followed by NULs are one key (a property of HMAC).
 */
const otherSecrets = fc
  .tuple(secret, secret)
  .filter(([a, b]) => a.replace(/\0+$/, '') !== b.replace(/\0+$/, ''));

/** Hostile text (see `hostileText`) with the token's own characters. */
const hostile = hostileText(fc.stringMatching(/^[A-Za-z0-9_.-]{0,100}$/));

/** One way to spoil a token; `at` is taken modulo its length. */
type Tamper =
  | { kind: 'replace'; at: number; text: string }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'append'; text: string }
  | { kind: 'prepend'; text: string };
const oneChar = fc.oneof(
  fc.constantFrom('.', '-', '_', 'A', 'a', '0', '=', ' ', '\n', '\0'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const tamper: fc.Arbitrary<Tamper> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), text: oneChar }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: oneChar }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), text: hostile.filter((t) => t !== '') }),
  fc.record({ kind: fc.constant('prepend' as const), text: hostile.filter((t) => t !== '') }),
);
/** The token spoiled; never the token itself. */
function spoil(token: string, t: Tamper): string {
  const at = 'at' in t ? t.at % token.length : 0;
  switch (t.kind) {
    case 'replace':
      return (
        token.slice(0, at) +
        (t.text === token[at] ? `${t.text}${t.text}` : t.text) +
        token.slice(at + 1)
      );
    case 'insert':
      return token.slice(0, at) + t.text + token.slice(at);
    case 'delete':
      return token.slice(0, at) + token.slice(at + 1);
    case 'truncate':
      return token.slice(0, at);
    case 'append':
      return token + t.text;
    case 'prepend':
      return t.text + token;
  }
}

type MakeCodec = (secrets: string[]) => Promise<SessionTokenCodec>;

const formats: Array<[string, MakeCodec, number]> = [
  ['simple', async (secrets) => new SimpleTokenCodec(secrets), 100],
  [
    'jwt',
    async (secrets) =>
      new JwtTokenCodec(
        await loadJwtService(),
        secrets,
        resolveSessionOptions({ secret: 'x'.repeat(32), tokenFormat: 'jwt' }).jwt,
      ),
    30,
  ],
];

describe.each(formats)('%s tokens', (_format, makeCodec, numRuns) => {
  /** An expiry from a second to ten years ahead, not always a whole millisecond. */
  const expiry = fc
    .tuple(
      fc.integer({ min: 1_000, max: 10 * 365 * 86_400_000 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
    )
    .map(([ms, fraction]) => Date.now() + ms + fraction);

  it('round-trip: each secret of the list verifies what it signed, id and expiry intact', async () => {
    await fc.assert(
      fc.asyncProperty(
        sessionId,
        expiry,
        fc.array(secret, { minLength: 1, maxLength: 3 }),
        fc.nat(),
        async (id, expiresAt, secrets, which) => {
          const signer = await makeCodec([secrets[which % secrets.length]!]);
          const token = await signer.sign(id, expiresAt);
          const verified = await (await makeCodec(secrets)).verify(token);
          expect(verified.id).toBe(id);
          // Simple tokens keep the millisecond, JWT `exp` the second, both rounded up.
          expect(verified.expiresAt).toBeGreaterThanOrEqual(expiresAt);
          expect(verified.expiresAt - expiresAt).toBeLessThan(1000);
        },
      ),
      { numRuns },
    );
  });

  it('a spoiled token never verifies: a character changed, added or removed, cut short, or extended', async () => {
    const codec = await makeCodec(['k'.repeat(32)]);
    const token = await codec.sign(newId(), Date.now() + 3_600_000);
    await fc.assert(
      fc.asyncProperty(tamper, async (t) => {
        await expect(codec.verify(spoil(token, t))).rejects.toBeInstanceOf(SessionInvalidError);
      }),
      { numRuns: numRuns * 2 },
    );
  });

  it('a token signed with another secret never verifies', async () => {
    await fc.assert(
      fc.asyncProperty(sessionId, expiry, otherSecrets, async (id, expiresAt, [mine, theirs]) => {
        const token = await (await makeCodec([theirs])).sign(id, expiresAt);
        await expect((await makeCodec([mine])).verify(token)).rejects.toBeInstanceOf(
          SessionInvalidError,
        );
      }),
      { numRuns },
    );
  });

  it('any string is refused with a SessionError, never a crash', async () => {
    const codec = await makeCodec(['k'.repeat(32)]);
    await fc.assert(
      fc.asyncProperty(hostile, async (text) => {
        const outcome = codec.verify(text);
        await expect(outcome).rejects.toBeInstanceOf(SessionInvalidError);
      }),
      { numRuns },
    );
  });

  it('a well-signed token past its expiry is refused as expired', async () => {
    const codec = await makeCodec(['k'.repeat(32)]);
    await fc.assert(
      fc.asyncProperty(
        sessionId,
        fc.integer({ min: 2_000, max: 10 * 365 * 86_400_000 }),
        async (id, ago) => {
          const token = await codec.sign(id, Date.now() - ago);
          await expect(codec.verify(token)).rejects.toBeInstanceOf(SessionExpiredError);
        },
      ),
      { numRuns },
    );
  });
});

function newId(): string {
  return Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7)).toString('base64url');
}
