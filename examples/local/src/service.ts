/** A modelship service in 60 lines — docs/service-in-60-lines.md walks through it. */
import type { AddressInfo } from 'node:net';
import { closeGracefully, createManagementRouter, createServingRouter } from '@modelship/adapters-express';
import { createController } from '@modelship/controller';
import { createMemoryOutcomeStore, createRegistry } from '@modelship/core';
import { createDashboardRouter } from '@modelship/dashboard';
import { irisFeatureSpec, loadIris } from '@modelship/datasets';
import { FsStore } from '@modelship/registry-fs';
import { createModelRouter } from '@modelship/router';
import { createTrainer } from '@modelship/train';
import express from 'express';

const token = process.env.ADMIN_TOKEN ?? 'replace-me-with-a-long-random-secret';
const hmacKey = process.env.HMAC_KEY ?? 'replace-me-with-32-random-bytes-of-key';

// 1. The registry: versions, the rollout record and its history, in a folder.
const registry = createRegistry({ store: new FsStore({ root: process.env.REGISTRY_DIR ?? './.registry' }) });

// 2. Train and register a first version (in production a job or `modelship train` does this).
if ((await registry.listVersions('iris').catch(() => [])).length === 0) {
  const trainer = createTrainer({
    task: 'classification',
    features: irisFeatureSpec({ standardize: true }),
    variants: { logistic: { learner: 'logistic' } },
  });
  await registry.register('iris', (await trainer.fit(loadIris())).artifact);
}

// 3. The controller deploys it, then takes every new version through the offline gate, a
//    canary ramp judged on live outcomes, and a promotion or a rollback.
const outcomes = createMemoryOutcomeStore();
const controller = createController({ registry, outcomes, models: { iris: { gate: { metric: 'accuracy' } } } });
await controller.tick();

// 4. The router serves what the rollout says (weights, sticky units, hot swaps), takes feedback.
const router = createModelRouter({ registry, model: 'iris', hmacKey, outcomeStore: outcomes });
await router.ready();

// 5. HTTP: the management API (with roles), the dashboard, then /predict, /feedback, /health …
const app = express();
const auth = { tokens: [{ token, id: 'admin', role: 'admin' as const }] };
const management = createManagementRouter({ registry, controller, auth });
app.use('/manage', management);
app.use('/dashboard', createDashboardRouter({ managementPath: '/manage', servingPath: '' }));
const serving = createServingRouter({ router, registry });
await serving.ready(); // /ready answers 200 once the served versions' facts are read
app.use(serving);
const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
controller.start();

// 6. Ctrl-C: finish what is in flight, then stop the controller and close the registry.
process.once('SIGINT', async () => {
  await management.close();
  await closeGracefully(server, { routers: [serving, router] });
  await controller.close();
  await registry.close();
  process.exit(0);
});
