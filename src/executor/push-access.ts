/**
 * Before the build: every destination repository must accept a push, so
 * that a missing permission fails in seconds rather than after the whole
 * build (kaniko checks the same; --skip-push-permission-check turns it off).
 */
import type { Reference } from '../image/reference.js';
import type { Logger } from '../log.js';
import type { RegistryClient } from '../registry/client.js';
import { checkPushPermission } from '../registry/push-check.js';

export async function checkPushAccess(
  registry: RegistryClient,
  destinations: readonly Reference[],
  log: Logger,
): Promise<void> {
  const repos = new Map(destinations.map((d) => [d.name, d]));
  await Promise.all([...repos.values()].map((r) => checkPushPermission(registry, r)));
  log.info(`push access: ${[...repos.keys()].join(', ')} accept${repos.size === 1 ? 's' : ''} a push`);
}
