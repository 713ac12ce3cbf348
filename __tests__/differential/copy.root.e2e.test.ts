/** Differential cases (copy): each built by buildah and by Kiln, images compared (see cases/copy.ts). */
import { copyCases } from './cases/copy.js';
import { differentialSuite } from './suite.js';

differentialSuite('copy', copyCases);
