/** Differential cases (run): each built by buildah and by Kiln, images compared (see cases/run.ts). */
import { runCases } from './cases/run.js';
import { differentialSuite } from './suite.js';

differentialSuite('run', runCases);
