/** Differential cases (add): each built by buildah and by Kiln, images compared (see cases/add.ts). */
import { addCases } from './cases/add.js';
import { differentialSuite } from './suite.js';

differentialSuite('add', addCases);
