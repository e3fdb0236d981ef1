import { MemoryStore } from '@modelship/core';
import {
  StoreOutcomeSource,
  createMemoryOutcomeStore,
  createOutcomePublisher,
  type OutcomePublisher,
} from '@modelship/core/outcomes';
import { runOutcomeStoreConformance } from '../src/index.js';

runOutcomeStoreConformance({
  name: 'MemoryOutcomeStore',
  createStore: async () => ({ store: createMemoryOutcomeStore(), destroy: async () => {} }),
});

// the default shared outcomes: each replica publishes its snapshot to the registry store, the
// controller reads them merged
runOutcomeStoreConformance({
  name: 'createOutcomePublisher + StoreOutcomeSource (registry snapshots)',
  createStore: async () => {
    const registryStore = new MemoryStore();
    const publishers: OutcomePublisher[] = [];
    const open = () => {
      const outcomes = createMemoryOutcomeStore();
      publishers.push(
        createOutcomePublisher({ store: registryStore, outcomes, replica: `replica-${publishers.length}` }),
      );
      return outcomes;
    };
    const source = new StoreOutcomeSource(registryStore);
    return {
      store: open(),
      replica: async () => open(),
      sync: async () => void (await Promise.all(publishers.map((p) => p.publish()))),
      read: (model, query) => source.aggregates(model, query),
      destroy: async () => void (await Promise.all(publishers.map((p) => p.close()))),
    };
  },
});
