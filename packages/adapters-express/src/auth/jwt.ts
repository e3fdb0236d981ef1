/** JWT bearer authentication with jose: HS256 with a shared secret, or asymmetric keys from a JWKS URL. */
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { ManagementError } from '../management/errors.js';
import { bearerOf, looksLikeJwt, type Authenticator, type Principal } from './auth.js';
import { highestRole } from './roles.js';

/** Options of {@link createJwtAuthenticator}: exactly one of `secret` and `jwksUrl`. */
export interface JwtAuthenticatorOptions {
  /** The HS256 shared secret (at least 32 bytes). */
  secret?: string | Uint8Array;
  /** The URL of a JSON Web Key Set (RS256, ES256, EdDSA… keys), fetched and cached by jose. */
  jwksUrl?: string | URL;
  /** The required `iss` claim; default not checked. */
  issuer?: string | string[];
  /** The required `aud` claim; default not checked. */
  audience?: string | string[];
  /** The claim holding the role (a string, or an array whose highest role counts); default `'role'`, then `'roles'`. */
  roleClaim?: string;
  /** Allowed clock skew when checking `exp` and `nbf`, in seconds; default 5. */
  clockToleranceSeconds?: number;
  /** The algorithms accepted; default `['HS256']` with a secret, else RS256, ES256, PS256, EdDSA. */
  algorithms?: string[];
  /** Epoch ms now, for `exp` and `nbf`; default `Date.now`. */
  clock?: () => number;
}

function invalid(field: string, message: string): ManagementError {
  return new ManagementError('INVALID_OPTIONS', `createJwtAuthenticator: ${field}: ${message}`, {
    operation: 'createJwtAuthenticator',
    details: { field },
  });
}

/**
 * An {@link Authenticator} that verifies `Authorization: Bearer <jwt>` with jose: the signature
 * (HS256 with `secret`, or a key of the JWKS at `jwksUrl`), `exp` and `nbf`, and `iss` and `aud`
 * when configured. The principal is the token's `sub` with the role of `roleClaim`. A token that
 * fails any check, or carries no role, is refused with `ManagementError('UNAUTHORIZED')`; a
 * request with no bearer token, or one that is not a JWT, is left to the next authenticator.
 *
 * @example
 * ```ts
 * const jwt = createJwtAuthenticator({ jwksUrl: 'https://login.example.com/.well-known/jwks.json', audience: 'modelship' });
 * const router = createManagementRouter({ registry, controller, auth: { authorize: jwt } });
 * ```
 */
export function createJwtAuthenticator(options: JwtAuthenticatorOptions): Authenticator {
  const o = options ?? {};
  if ((o.secret === undefined) === (o.jwksUrl === undefined)) {
    throw invalid('secret', 'give exactly one of secret (HS256) and jwksUrl');
  }
  let key: Uint8Array | ReturnType<typeof createRemoteJWKSet>;
  if (o.secret !== undefined) {
    const bytes = typeof o.secret === 'string' ? new TextEncoder().encode(o.secret) : o.secret;
    if (!(bytes instanceof Uint8Array) || bytes.length < 32) throw invalid('secret', 'expected at least 32 bytes');
    key = bytes;
  } else {
    let url: URL;
    try {
      url = new URL(String(o.jwksUrl));
    } catch {
      throw invalid('jwksUrl', 'expected a URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid('jwksUrl', 'expected an http(s) URL');
    key = createRemoteJWKSet(url);
  }
  if (o.roleClaim !== undefined && (typeof o.roleClaim !== 'string' || o.roleClaim.length === 0)) {
    throw invalid('roleClaim', 'expected a non-empty string');
  }
  const tolerance = o.clockToleranceSeconds ?? 5;
  if (!Number.isFinite(tolerance) || tolerance < 0) throw invalid('clockToleranceSeconds', 'expected a number ≥ 0');
  const algorithms = o.algorithms ?? (o.secret !== undefined ? ['HS256'] : ['RS256', 'ES256', 'PS256', 'EdDSA']);
  const clock = o.clock ?? Date.now;
  const claims = o.roleClaim !== undefined ? [o.roleClaim] : ['role', 'roles'];

  return async (request): Promise<Principal | undefined> => {
    const token = bearerOf(request);
    if (token === undefined || !looksLikeJwt(token)) return undefined;
    let payload: JWTPayload;
    try {
      const verify = {
        algorithms,
        clockTolerance: tolerance,
        currentDate: new Date(clock()),
        ...(o.issuer !== undefined ? { issuer: o.issuer } : {}),
        ...(o.audience !== undefined ? { audience: o.audience } : {}),
      };
      const verified =
        typeof key === 'function' ? await jwtVerify(token, key, verify) : await jwtVerify(token, key, verify);
      payload = verified.payload;
    } catch (cause) {
      const why =
        cause instanceof joseErrors.JWTExpired
          ? 'the token has expired'
          : cause instanceof joseErrors.JWTClaimValidationFailed
            ? `the token's ${cause.claim} claim is not valid`
            : 'the token does not verify';
      throw new ManagementError('UNAUTHORIZED', why, { operation: 'authenticate', cause });
    }
    const raw = claims.map((c) => payload[c]).find((v) => v !== undefined);
    const role = highestRole(Array.isArray(raw) ? raw : [raw]);
    if (role === undefined)
      throw new ManagementError('UNAUTHORIZED', 'the token carries no modelship role', { operation: 'authenticate' });
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) {
      throw new ManagementError('UNAUTHORIZED', 'the token has no subject', { operation: 'authenticate' });
    }
    return { id: payload.sub, role };
  };
}
