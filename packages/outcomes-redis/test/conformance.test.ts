import { runOutcomeStoreConformance } from '@modelship/registry-conformance';
import { createRedisOutcomeStore, type RedisOutcomeStore } from '../src/index.js';
import { freshPrefix, withRedis } from './redis.js';

withRedis('outcome store conformance', (server) =>
  runOutcomeStoreConformance({
    name: 'RedisOutcomeStore (redis-server)',
    setup: () => server.start(),
    teardown: () => server.destroy(),
    createStore: async () => {
      const prefix = freshPrefix();
      const stores: RedisOutcomeStore[] = [];
      const open = (): RedisOutcomeStore => {
        const s = createRedisOutcomeStore({ url: server.url, prefix });
        stores.push(s);
        return s;
      };
      const reader = open();
      return {
        store: open(),
        replica: async () => open(),
        sync: async () => void (await Promise.all(stores.map((s) => s.flush()))),
        read: (model, query) => reader.aggregates(model, query),
        destroy: async () => void (await Promise.all(stores.map((s) => s.close()))),
      };
    },
  }),
);
