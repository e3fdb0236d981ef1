/** The apps of the serving benchmark: the full serving router and bare Express over the same model. */
import type { Model, ModelArtifact, ModelRegistry } from '@modelship/core';
import { createServingRouter } from '@modelship/adapters-express';
import { createCallbackSink, createModelRouter } from '@modelship/router';
import express from 'express';
import pino from 'pino';
import { Registry } from 'prom-client';

export async function createAdaptersExpressBench(registry: ModelRegistry<ModelArtifact>, model: Model) {
  const metrics = new Registry();
  const router = createModelRouter({
    registry,
    model: 'cal',
    hmacKey: 'bench-serving-key-0123456789',
    metrics,
    sinks: [createCallbackSink(() => {})],
  });
  await router.ready();
  const serving = createServingRouter({
    router,
    registry: registry as never,
    metrics,
    logger: pino({ level: 'warn' }),
  });
  await serving.ready();
  const full = express();
  full.use(serving);
  const bare = express();
  bare.use(express.json());
  bare.post('/predict', (req, res) => {
    res.json({ prediction: model.predict(req.body as Record<string, unknown>).value });
  });
  return { full, bare, close: () => serving.close() };
}
