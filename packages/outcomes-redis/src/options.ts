/** Option parsing shared by the Redis outcome store and the Redis lease. */
import { ValidationError } from '@modelship/core';
import { Redis } from 'ioredis';
import type { z } from 'zod';

/**
 * Parses `options` with `schema` (every field optional); throws `ValidationError`
 * `INVALID_OPTIONS` whose message names the first bad field.
 */
export function parseOptions<S extends z.ZodObject>(
  operation: string,
  schema: S,
  options: unknown,
): Partial<z.infer<S>> {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError(
      'INVALID_OPTIONS',
      `${operation}: options: expected an object, received ${String(options)}`,
      {
        operation,
        details: { field: 'options' },
      },
    );
  }
  const r = schema.partial().safeParse(options);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = issue.path.map(String).join('.') || 'options';
    throw new ValidationError('INVALID_OPTIONS', `${operation}: ${field}: ${issue.message}`, {
      operation,
      details: { field },
      cause: r.error,
    });
  }
  return r.data as Partial<z.infer<S>>;
}

/** The client of `client` or `url` (exactly one); `owned` when made here from the URL. */
export function redisClient(
  operation: string,
  o: { client?: Redis | undefined; url?: string | undefined },
  onError: (err: unknown) => void = () => undefined,
): { client: Redis; owned: boolean } {
  if ((o.client === undefined) === (o.url === undefined)) {
    throw new ValidationError(
      'INVALID_OPTIONS',
      `${operation}: client: give exactly one of client (an ioredis client) or url`,
      {
        operation,
        details: { field: 'client' },
      },
    );
  }
  if (o.client) return { client: o.client, owned: false };
  // an owned client's connection errors are ours to report (ioredis retries on its own)
  const client = new Redis(o.url!);
  client.on('error', onError);
  return { client, owned: true };
}
