import { runRegistryConformance } from '@modelship/registry-conformance';
import { withMoto } from './moto.js';
withMoto('conformance', (moto) => runRegistryConformance(moto.conformance()));
