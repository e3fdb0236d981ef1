import { MemoryStore } from '@modelship/core';
import { runRegistryConformance } from '../src/index.js';

runRegistryConformance({
  name: 'MemoryStore',
  createStore: async () => {
    const store = new MemoryStore();
    return { store, reopen: async () => store, destroy: async () => {} };
  },
});
