import { runRegistryConformance } from '@modelship/registry-conformance';
import { fsHarness } from './fs-harness.js';
runRegistryConformance({ name: 'FsStore', createStore: fsHarness });
