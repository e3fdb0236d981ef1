/**
 * `modelship serve`: the registry over HTTP — the serving routes for every model that has a
 * rollout, the management API (admin token from `MODELSHIP_ADMIN_TOKEN`, else a random one
 * printed once), the dashboard, and (unless `--no-controller`) the lifecycle controller with the
 * embedded job runner. Runs until the signal aborts (Ctrl-C in the bin), then shuts down
 * gracefully.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeGracefully, createManagementRouter, createServingRouter } from '@modelship/adapters-express';
import { createController, createEmbeddedJobRunner } from '@modelship/controller';
import { createMemoryOutcomeStore } from '@modelship/core';
import { createDashboardRouter } from '@modelship/dashboard';
import { createModelRouter, type ModelRouter } from '@modelship/router';
import express from 'express';
import helmet from 'helmet';
import { EXIT_CODES, usage, type ExitCode } from './errors.js';
import type { CommandContext } from './commands.js';

/** Options of `serve`. */
export interface ServeOptions {
  /** The port; default 3000 (0: any free port). */
  port?: number;
  /** The interface; default 127.0.0.1. */
  host?: string;
  /** Run the lifecycle controller and the job runner; default true. */
  controller?: boolean;
}

/** Runs `modelship serve` until `c.signal` aborts. */
export async function serveCommand(c: CommandContext, o: ServeOptions): Promise<ExitCode> {
  const registry = c.registry(true);
  const token = c.env.MODELSHIP_ADMIN_TOKEN ?? randomBytes(24).toString('base64url');
  if (token.length < 16) throw usage('serve: MODELSHIP_ADMIN_TOKEN: expected at least 16 characters');
  const outcomes = createMemoryOutcomeStore();
  const hmacKey = c.env.MODELSHIP_HMAC_KEY ?? randomBytes(32).toString('hex');
  const names: string[] = [];
  for (const name of await registry.listModels()) if (await registry.getRollout(name)) names.push(name);
  const routers: Record<string, ModelRouter> = {};
  for (const name of names)
    routers[name] = createModelRouter({ registry, model: name, hmacKey, outcomeStore: outcomes });
  // serve only once every router has loaded what its rollout names (else the first requests get 503)
  for (const name of names) {
    const rollout = await registry.getRollout(name);
    if (rollout) await routers[name]!.waitForRevision(rollout.revision, { timeoutMs: 120_000 });
  }
  const jobs = o.controller === false ? undefined : createEmbeddedJobRunner({ registry });
  const controller =
    o.controller === false
      ? undefined
      : createController({
          registry,
          outcomes,
          ...(jobs ? { jobs } : {}),
          models: Object.fromEntries(names.map((n) => [n, {}])),
        });
  const app = express();
  app.disable('x-powered-by');
  app.use(helmet());
  const management = createManagementRouter({
    registry,
    ...(controller ? { controller } : {}),
    ...(jobs ? { jobs } : {}),
    auth: { tokens: [{ token, id: 'admin', role: 'admin' }] },
  });
  app.use('/manage', management);
  app.use('/dashboard', createDashboardRouter({ managementPath: '/manage', servingPath: '' }));
  app.use(
    '/',
    createServingRouter({ routers, registry, helmet: false, ...(names[0] ? { defaultModel: names[0] } : {}) }),
  );
  const server: Server = await new Promise((res, rej) => {
    const s = app.listen(o.port ?? 3000, o.host ?? '127.0.0.1', () => res(s));
    s.once('error', rej);
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.address}:${addr.port}`;
  controller?.start();
  const info = {
    url,
    models: names,
    dashboard: `${url}/dashboard/`,
    token: c.env.MODELSHIP_ADMIN_TOKEN ? '(MODELSHIP_ADMIN_TOKEN)' : token,
  };
  if (c.json) c.stdout.write(`${JSON.stringify(info)}\n`);
  else {
    c.stdout.write(`serving ${names.length ? names.join(', ') : 'no model yet (none has a rollout)'} at ${url}\n`);
    c.stdout.write(`dashboard ${info.dashboard}  admin token ${info.token}\n`);
  }
  await new Promise<void>((res) => {
    if (!c.signal) return; // runs until the process ends
    if (c.signal.aborted) res();
    else c.signal.addEventListener('abort', () => res(), { once: true });
  });
  await management.close(); // ends the open event streams first
  await closeGracefully(server, { routers: Object.values(routers), timeoutMs: 5000 });
  await controller?.close();
  await jobs?.close();
  return EXIT_CODES.OK;
}
