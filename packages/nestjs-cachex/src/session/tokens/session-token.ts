/** What a verified token says: the session id and when the token itself expires (epoch ms). */
export interface VerifiedToken {
  id: string;
  expiresAt: number;
}

/**
 * Turns a session id into a token and back. Implementations throw
 * `SessionInvalidError` for a token that is malformed or wrongly signed and
 * `SessionExpiredError` for a well-signed token past its `exp`.
 */
export interface SessionTokenCodec {
  /** A token for session `id`, valid until `expiresAt` (epoch ms), signed with the first secret. */
  sign(id: string, expiresAt: number): Promise<string>;
  /** Checks the token against every secret; resolves what it carries. */
  verify(token: string): Promise<VerifiedToken>;
}

/** Longest token either format accepts; longer ones are rejected before any parsing. */
export const MAX_TOKEN_LENGTH = 4096;

/** Session ids: 32 bytes from the CSPRNG, base64url (43 characters, 256 bits). */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;
