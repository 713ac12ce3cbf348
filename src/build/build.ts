/** build(): the one entry both front doors call (see executor.ts). */
export { type BuildDeps, build } from './executor.js';
