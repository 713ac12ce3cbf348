/** Differential cases (config): each built by buildah and by Kiln, images compared (see cases/config.ts). */
import { configCases } from './cases/config.js';
import { differentialSuite } from './suite.js';

differentialSuite('config', configCases);
