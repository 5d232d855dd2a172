/**
 * What every session variant answers: `GET /me` → `{ user }` (guarded), and the
 * user a login puts in the session. Shared so every variant sends the same bytes.
 */
export const USER = { id: 'u1', username: 'ada' };

/** The body of `GET /me`. */
export const meBody = (user: unknown) => ({ user });
