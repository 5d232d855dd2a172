import { type HttpRequestLike } from '../http/request.js';

/**
 * What the cache must know of a credential besides `Authorization` (the
 * session module's token), so that it never serves one user's private
 * response, or token, to another. Provided under `CACHE_CREDENTIAL_SOURCE`
 * by `SessionModule`.
 */
export interface CredentialSource {
  /** The credential the request carries, or `undefined`. */
  read(req: HttpRequestLike): string | undefined;
  /** Response headers that carry a credential: never stored in an entry, so never replayed. */
  responseHeaders: readonly string[];
}

/** DI token of the optional `CredentialSource`; internal to the package. */
export const CACHE_CREDENTIAL_SOURCE = Symbol('CACHEX_CREDENTIAL_SOURCE');

/** The credential a request carries: its `Authorization`, else its session token. */
export function requestCredential(
  req: HttpRequestLike,
  source: CredentialSource | undefined,
): string | undefined {
  const authorization = req.headers['authorization'];
  if (authorization !== undefined && authorization !== '') return String(authorization);
  return source?.read(req);
}
