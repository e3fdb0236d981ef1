/**
 * Authentication helpers: static bearer tokens, HS256 JWTs and JWTs verified against a real JWKS
 * served over HTTP on 127.0.0.1 (jose's createRemoteJWKSet fetching it), and the management
 * router refusing expired or foreign tokens end to end.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRegistry, MemoryStore } from '@modelship/core';
import express from 'express';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AuthRequest,
  bearerTokens,
  createJwtAuthenticator,
  createManagementRouter,
  hasRole,
  ROLES,
} from '../src/index.js';

const SECRET = 'auth-test-hs256-secret-0123456789abcdef';
const enc = new TextEncoder();
const now = () => Math.floor(Date.now() / 1000);

function req(token?: string): AuthRequest {
  return { headers: token === undefined ? {} : { authorization: `Bearer ${token}` }, method: 'GET', path: '/models' };
}

async function hs(claims: JWTPayload, o: { exp?: number; secret?: string; alg?: string } = {}): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: o.alg ?? 'HS256' })
    .setIssuedAt()
    .setExpirationTime(o.exp ?? now() + 600)
    .sign(enc.encode(o.secret ?? SECRET));
}

async function rejection(p: unknown): Promise<{ code?: string; message?: string; name?: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code?: string; message?: string };
  }
  throw new Error('expected a rejection');
}

describe('roles', () => {
  it('orders viewer < operator < admin', () => {
    expect(ROLES).toEqual(['viewer', 'operator', 'admin']);
    expect(hasRole('admin', 'operator')).toBe(true);
    expect(hasRole('operator', 'operator')).toBe(true);
    expect(hasRole('viewer', 'operator')).toBe(false);
  });
});

describe('bearerTokens', () => {
  const auth = bearerTokens([{ token: 'ops-token-0123456789', id: 'ops', role: 'operator' }]);

  it('maps a known token to its principal, leaves a request without one to the next authenticator', async () => {
    expect(await auth(req('ops-token-0123456789'))).toEqual({ id: 'ops', role: 'operator' });
    expect(await auth(req())).toBeUndefined();
    expect(await auth({ ...req(), headers: { authorization: 'Basic abc' } })).toBeUndefined();
  });

  it('refuses an unknown token', async () => {
    expect(await rejection((async () => auth(req('ops-token-0123456780')))())).toMatchObject({
      name: 'ManagementError',
      code: 'UNAUTHORIZED',
    });
  });

  it('passes a JWT-looking token on when asked to', async () => {
    const pass = bearerTokens([{ token: 'ops-token-0123456789', id: 'ops', role: 'operator' }], { passJwt: true });
    expect(await pass(req('a.b.c'))).toBeUndefined();
  });

  it('validates its tokens', () => {
    expect(() => bearerTokens([{ token: 'short', id: 'x', role: 'admin' }])).toThrow(/tokens\[0\]\.token/);
    expect(() => bearerTokens([{ token: 'long-enough-token-123', id: '', role: 'admin' }])).toThrow(/tokens\[0\]\.id/);
    expect(() => bearerTokens([{ token: 'long-enough-token-123', id: 'x', role: 'root' as 'admin' }])).toThrow(
      /tokens\[0\]\.role/,
    );
  });
});

describe('createJwtAuthenticator (HS256)', () => {
  const auth = createJwtAuthenticator({ secret: SECRET, issuer: 'https://issuer.test', audience: 'modelship' });
  const good = { sub: 'alice', role: 'operator', iss: 'https://issuer.test', aud: 'modelship' };

  it('verifies signature, exp, iss and aud and reads the role claim', async () => {
    expect(await auth(req(await hs(good)))).toEqual({ id: 'alice', role: 'operator' });
    expect(await auth(req(await hs({ ...good, role: undefined, roles: ['viewer', 'admin', 'other'] })))).toEqual({
      id: 'alice',
      role: 'admin',
    });
    expect(await auth(req())).toBeUndefined();
    expect(await auth(req('not-a-jwt-token-at-all'))).toBeUndefined();
  });

  it('refuses expired, foreign, mis-addressed and role-less tokens with UNAUTHORIZED', async () => {
    const cases: Array<[Promise<string>, RegExp]> = [
      [hs(good, { exp: now() - 60 }), /expired/],
      [hs(good, { secret: 'another-secret-0123456789abcdef-xyz' }), /does not verify/],
      [hs({ ...good, aud: 'someone-else' }), /aud/],
      [hs({ ...good, iss: 'https://evil.test' }), /iss/],
      [hs({ ...good, role: 'root' }), /no modelship role/],
      [hs({ role: 'operator', iss: good.iss, aud: good.aud }), /no subject/],
      [hs(good, { alg: 'HS512' }), /does not verify/],
    ];
    for (const [token, message] of cases) {
      const err = await rejection(auth(req(await token)));
      expect(err).toMatchObject({ name: 'ManagementError', code: 'UNAUTHORIZED' });
      expect(err.message).toMatch(message);
    }
  });

  it('uses the injected clock and tolerance', async () => {
    const late = createJwtAuthenticator({
      secret: SECRET,
      clock: () => Date.now() + 3_600_000,
      clockToleranceSeconds: 0,
    });
    expect((await rejection(late(req(await hs({ sub: 'a', role: 'viewer' }))))).message).toMatch(/expired/);
  });

  it('validates its options', () => {
    expect(() => createJwtAuthenticator({})).toThrow(/secret: give exactly one/);
    expect(() => createJwtAuthenticator({ secret: SECRET, jwksUrl: 'http://x' })).toThrow(/exactly one/);
    expect(() => createJwtAuthenticator({ secret: 'short' })).toThrow(/at least 32 bytes/);
    expect(() => createJwtAuthenticator({ jwksUrl: 'not a url' })).toThrow(/jwksUrl/);
    expect(() => createJwtAuthenticator({ jwksUrl: 'file:///etc/jwks.json' })).toThrow(/http/);
  });
});

describe('createJwtAuthenticator (JWKS over HTTP on 127.0.0.1)', () => {
  let jwks: Server;
  let jwksUrl: string;
  let fetches = 0;
  let sign: (claims: JWTPayload, exp?: number) => Promise<string>;
  let foreign: (claims: JWTPayload) => Promise<string>;

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const other = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    jwks = createServer((rq, rs) => {
      fetches++;
      if (rq.url !== '/.well-known/jwks.json') {
        rs.writeHead(404).end();
        return;
      }
      rs.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', () => r()));
    jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
    sign = (claims, exp = now() + 600) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuedAt()
        .setExpirationTime(exp)
        .sign(privateKey);
    foreign = (claims) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuedAt()
        .setExpirationTime(now() + 600)
        .sign(other.privateKey);
  });

  afterAll(async () => {
    await new Promise((r) => jwks.close(r));
  });

  it('fetches the key set and verifies tokens signed by its keys', async () => {
    const auth = createJwtAuthenticator({ jwksUrl, audience: 'modelship' });
    expect(await auth(req(await sign({ sub: 'bob', role: 'admin', aud: 'modelship' })))).toEqual({
      id: 'bob',
      role: 'admin',
    });
    expect(fetches).toBeGreaterThanOrEqual(1);
    expect(
      (await rejection(auth(req(await foreign({ sub: 'eve', role: 'admin', aud: 'modelship' }))))).message,
    ).toMatch(/does not verify/);
    const old = await sign({ sub: 'bob', role: 'admin', aud: 'modelship' }, now() - 60);
    expect((await rejection(auth(req(old)))).message).toMatch(/expired/);
    const hsToken = await hs({ sub: 'mallory', role: 'admin', aud: 'modelship' });
    expect((await rejection(auth(req(hsToken)))).code).toBe('UNAUTHORIZED'); // an HS256 token is not accepted by a JWKS authenticator
  });

  it('guards the management router end to end', async () => {
    const registry = createRegistry({ store: new MemoryStore() });
    const router = createManagementRouter({ registry, auth: { authorize: createJwtAuthenticator({ jwksUrl }) } });
    const server = express().use('/manage', router).listen(0, '127.0.0.1');
    await new Promise<void>((r) => server.once('listening', () => r()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/manage`;
    const get = async (path: string, token?: string) =>
      fetch(`${base}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    try {
      const viewer = await sign({ sub: 'vic', role: 'viewer' });
      expect(await (await get('/whoami', viewer)).json()).toEqual({ id: 'vic', role: 'viewer' });
      expect((await get('/models', viewer)).status).toBe(200);
      expect((await get('/audit', viewer)).status).toBe(403);
      expect((await get('/audit', await sign({ sub: 'ada', role: 'admin' }))).status).toBe(200);
      const expired = await get('/models', await sign({ sub: 'vic', role: 'viewer' }, now() - 60));
      expect(expired.status).toBe(401);
      expect(expired.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await expired.json()).toMatchObject({
        status: 401,
        code: 'UNAUTHORIZED',
        detail: 'the token has expired',
      });
      expect((await get('/models', await foreign({ sub: 'eve', role: 'admin' }))).status).toBe(401);
      expect((await get('/models')).status).toBe(401);
      expect((await get('/models', 'opaque-token-not-a-jwt')).status).toBe(401);
    } finally {
      await router.close();
      server.close();
    }
  });
});
