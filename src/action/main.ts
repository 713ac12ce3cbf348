/** The action's run(): inputs → BuildOptions → build() → outputs. */
import * as core from '@actions/core';

export async function run(): Promise<void> {
  try {
    core.info('kiln: the action is not implemented yet');
    throw new Error('kiln: the action is not implemented yet');
  } catch (err) {
    core.setFailed(err instanceof Error ? err.message : String(err));
  }
}
