/** Differential cases (multistage): each built by buildah and by Kiln, images compared (see cases/multistage.ts). */
import { multistageCases } from './cases/multistage.js';
import { differentialSuite } from './suite.js';

differentialSuite('multistage', multistageCases);
