import { Injectable } from '@nestjs/common';
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { type SessionUser } from 'nestjs-cachex/session';

interface StoredUser {
  user: SessionUser;
  salt: Buffer;
  hash: Buffer;
}

/**
 * Demo accounts (ada / lovelace-demo, alan / turing-demo), with scrypt
 * password hashes compared in constant time. A real app asks its user store.
 */
@Injectable()
export class UsersService {
  private readonly users = new Map<string, StoredUser>();

  constructor() {
    this.add(
      { id: 'u-ada', username: 'ada', email: 'ada@example.com', roles: ['admin'] },
      'lovelace-demo',
    );
    this.add(
      { id: 'u-alan', username: 'alan', email: 'alan@example.com', roles: ['user'] },
      'turing-demo',
    );
  }

  /** The user whose password this is, or `undefined` (same work either way). */
  check(username: string, password: string): SessionUser | undefined {
    const stored = this.users.get(username);
    const salt = stored?.salt ?? randomBytes(16);
    const hash = scryptSync(password, salt, 32);
    return stored && timingSafeEqual(hash, stored.hash) ? stored.user : undefined;
  }

  private add(user: SessionUser, password: string): void {
    const salt = randomBytes(16);
    this.users.set(user.username!, { user, salt, hash: scryptSync(password, salt, 32) });
  }
}
