import { S3Store } from '@modelship/registry-s3';
import { afterAll, beforeAll } from 'vitest';
import { commandSuite } from './commands-suite.js';
import { withMoto } from './helpers.js';

withMoto('CLI', (moto) => {
  beforeAll(() => moto.start(), 60_000);
  afterAll(() => moto.stop());
  commandSuite('S3 registry on moto_server', async () => {
    const { location, options } = await moto.freshBucket();
    return {
      // credentials from the usual AWS variables, the endpoint from --s3-endpoint
      args: ['--registry', location, '--s3-endpoint', moto.endpoint],
      env: { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' },
      store: () => new S3Store(options),
    };
  });
});
