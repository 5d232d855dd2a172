import { type HttpRequestLike } from '../http/request.js';

/**
 * Reads the credential a request carries besides `Authorization` (the session
 * module's token), so that the cache never serves one user's private response
 * to another. Provided under `CACHE_CREDENTIAL_READER` by `SessionModule`.
 */
export type CredentialReader = (req: HttpRequestLike) => string | undefined;

/** DI token of the optional `CredentialReader`; internal to the package. */
export const CACHE_CREDENTIAL_READER = Symbol('CACHEX_CREDENTIAL_READER');
