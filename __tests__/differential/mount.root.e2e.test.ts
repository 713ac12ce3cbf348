/** Differential cases (RUN --mount): each built by buildah and by Kiln, images compared (see cases/mount.ts). */
import { mountCases } from './cases/mount.js';
import { differentialSuite } from './suite.js';

differentialSuite('mount', mountCases);
