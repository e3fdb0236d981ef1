import { randomBytes } from 'node:crypto';
import { describe, it } from 'vitest';
import { RedisServer, redisAvailable, requireRedis } from '../../../test-support/redis-server.js';

export { RedisServer };

/** A fresh key prefix (each test its own data on the shared server). */
export const freshPrefix = (): string => `t-${randomBytes(6).toString('hex')}:`;

/**
 * Defines `suite(server)` when redis-server is available. Otherwise: with MODELSHIP_REQUIRE_REDIS=1
 * a failing test; without it a loud warning and one skipped test saying the suite did not run.
 */
export function withRedis(what: string, suite: (server: RedisServer) => void): void {
  if (redisAvailable) {
    suite(new RedisServer());
    return;
  }
  const msg = `redis-server not found on PATH: the Redis ${what} suite did NOT run (install it: apt-get install -y redis-server)`;
  if (requireRedis) {
    describe(`Redis ${what}`, () =>
      it('needs redis-server (MODELSHIP_REQUIRE_REDIS=1)', () => {
        throw new Error(msg);
      }));
    return;
  }
  console.warn(`\n${'!'.repeat(100)}\n!!! ${msg}\n${'!'.repeat(100)}\n`);
  describe(`Redis ${what}`, () => it.skip(`DID NOT RUN: ${msg}`, () => {}));
}
