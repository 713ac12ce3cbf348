/**
 * build(): the one entry both front doors call. Placeholder until the
 * executor lands (issue 5).
 */
import type { Logger } from '../log.js';
import type { BuildOptions } from './options.js';
import type { BuildResult } from './result.js';

export async function build(_options: BuildOptions, _log: Logger): Promise<BuildResult> {
  throw new Error('kiln build: the executor is not implemented yet');
}
