import { runProcessConformance } from '@modelship/registry-conformance';
import { withMoto } from './moto.js';
withMoto('multi-process', (moto) => runProcessConformance(moto.processes()));
