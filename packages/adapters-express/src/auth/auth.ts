/**
 * Authentication of management requests: who is calling (a {@link Principal}) from the request's
 * headers, by static bearer tokens or by any {@link Authenticator} (JWT: see `createJwtAuthenticator`).
 */
import { createHash } from 'node:crypto';
import { ManagementError } from '../management/errors.js';
import { isRole, type Role } from './roles.js';

/** Who made a request, and with which role. */
export interface Principal {
  /** A stable id of the caller (a token's name, a JWT's `sub`), written to the audit log. */
  id: string;
  /** The caller's role. */
  role: Role;
}

/** What an {@link Authenticator} sees of a request. */
export interface AuthRequest {
  /** The request headers (lower-case names). */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The request method. */
  method: string;
  /** The request path. */
  path: string;
}

/**
 * Finds the caller of a request: a {@link Principal}, or `undefined` when the request carries no
 * credentials this authenticator reads (the next one is asked, then the request is refused with
 * 401). It throws `ManagementError('UNAUTHORIZED')` for credentials that are present but invalid
 * (a wrong token, a bad signature, an expired JWT).
 */
export type Authenticator = (request: AuthRequest) => Principal | undefined | Promise<Principal | undefined>;

/** A static bearer token: its secret value and who it stands for. */
export interface BearerToken {
  /** The token (at least 16 characters). */
  token: string;
  /** Who it stands for (written to the audit log). */
  id: string;
  /** Its role. */
  role: Role;
}

/** The bearer token of an `Authorization: Bearer <token>` header, or `undefined`. */
export function bearerOf(request: Pick<AuthRequest, 'headers'>): string | undefined {
  const h = request.headers.authorization;
  const v = Array.isArray(h) ? h[0] : h;
  if (typeof v !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(v);
  return m?.[1];
}

function digest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** True for a string that looks like a compact JWS (three base64url parts). */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

/**
 * An {@link Authenticator} over static bearer tokens. Tokens are kept as SHA-256 digests and
 * looked up by digest, so the comparison does not leak a token's prefix through timing. A bearer
 * token that is not one of them is refused (`UNAUTHORIZED`) unless it looks like a JWT and
 * `passJwt` is set (then the next authenticator, e.g. a JWT one, is asked).
 *
 * @example
 * ```ts
 * const auth = bearerTokens([{ token: process.env.OPS_TOKEN!, id: 'ops-bot', role: 'operator' }]);
 * ```
 */
export function bearerTokens(tokens: readonly BearerToken[], options: { passJwt?: boolean } = {}): Authenticator {
  const byDigest = new Map<string, Principal>();
  tokens.forEach((t, i) => {
    if (typeof t?.token !== 'string' || t.token.length < 16) {
      throw new ManagementError(
        'INVALID_OPTIONS',
        `bearerTokens: tokens[${i}].token: expected at least 16 characters`,
        {
          operation: 'bearerTokens',
          details: { field: `tokens[${i}].token` },
        },
      );
    }
    if (typeof t.id !== 'string' || t.id.length === 0) {
      throw new ManagementError('INVALID_OPTIONS', `bearerTokens: tokens[${i}].id: expected a non-empty string`, {
        operation: 'bearerTokens',
        details: { field: `tokens[${i}].id` },
      });
    }
    if (!isRole(t.role)) {
      throw new ManagementError(
        'INVALID_OPTIONS',
        `bearerTokens: tokens[${i}].role: expected viewer, operator or admin`,
        {
          operation: 'bearerTokens',
          details: { field: `tokens[${i}].role` },
        },
      );
    }
    byDigest.set(digest(t.token), { id: t.id, role: t.role });
  });
  return (request) => {
    const token = bearerOf(request);
    if (token === undefined) return undefined;
    const p = byDigest.get(digest(token));
    if (p) return { ...p };
    if (options.passJwt && looksLikeJwt(token)) return undefined;
    throw new ManagementError('UNAUTHORIZED', 'the bearer token is not valid', { operation: 'authenticate' });
  };
}
