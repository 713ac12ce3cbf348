/** Every differential case, by area. */
import type { DiffCase } from '../../lab/differential.js';
import { addCases } from './add.js';
import { configCases } from './config.js';
import { copyCases } from './copy.js';
import { mountCases } from './mount.js';
import { multistageCases } from './multistage.js';
import { runCases } from './run.js';

export const CASES_BY_AREA: Record<string, DiffCase[]> = {
  copy: copyCases,
  add: addCases,
  run: runCases,
  config: configCases,
  multistage: multistageCases,
  mount: mountCases,
};

export const ALL_CASES: DiffCase[] = Object.values(CASES_BY_AREA).flat();
