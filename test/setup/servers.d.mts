import type { ChildProcess } from 'node:child_process';

/** A server process the tests own; `stop()` kills it and removes its working directory. */
export interface ServerHandle {
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}
export function hasBinary(name: string): Promise<boolean>;
export function freePort(): Promise<number>;
export function startRedis(port?: number): Promise<ServerHandle>;
export function startMemcached(port?: number): Promise<ServerHandle>;
export function startRedisCluster(): Promise<ServerHandle[]>;
