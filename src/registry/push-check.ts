/**
 * Whether a push to a repository would be allowed, asked before any work:
 * go-containerregistry's CheckPushPermission, which kaniko runs before a
 * build. A token handshake alone does not tell (Docker Hub hands out tokens
 * for scopes it then refuses), so an upload session is opened (POST
 * /blobs/uploads/) and cancelled at once (DELETE, failures ignored). A
 * refusal throws the RegistryError of the POST, with its hint.
 */
import type { Reference } from '../image/reference.js';
import { repositoryScope } from './auth.js';
import type { RegistryClient } from './client.js';
import { header } from './transport.js';

export async function checkPushPermission(client: RegistryClient, repo: Reference): Promise<void> {
  const t = client.transport(repo.registry);
  const common = {
    scopes: [repositoryScope(repo.repository, 'pull,push')],
    repository: repo.repository,
    operation: 'check push permission',
  };
  const session = await t.send({
    ...common,
    method: 'POST',
    path: `/v2/${repo.repository}/blobs/uploads/`,
    headers: { 'content-length': '0' },
    expect: [202],
  });
  await session.body.dump();
  const loc = header(session, 'location');
  if (!loc) return;
  try {
    const cancel = await t.send({
      ...common,
      method: 'DELETE',
      path: new URL(loc, session.url).toString(),
      expect: [200, 202, 204, 404, 405],
      retry: false,
    });
    await cancel.body.dump();
  } catch (e) {
    client.logger.debug(
      `cancelling the upload session of the push check on ${repo.name}: ${(e as Error).message}`,
    );
  }
}
