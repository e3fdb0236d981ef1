import { createRegistry, MemoryStore } from '@modelship/core';
import { describeJobRunner } from '../../../test-support/job-runner-conformance.js';
import { createEmbeddedJobRunner } from '../src/jobs/index.js';

describeJobRunner('createEmbeddedJobRunner', async () => {
  const registry = createRegistry({ store: new MemoryStore() });
  const runner = createEmbeddedJobRunner({ registry, pollMs: 100, backoff: { initialMs: 50, factor: 2 } });
  return { runner, registry, close: () => runner.close() };
});
