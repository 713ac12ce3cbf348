/**
 * What RUN --mount needs from the build as a whole, owned by the session:
 * the secrets (read when the session opens), the SSH agents, the cache
 * mount store (in --cache-dir's cache-mounts/ or, for one build, in the
 * workspace; loaded from and saved to an archive when asked), and the
 * read-only copies of context directories that bind mounts show.
 */
import { existsSync } from 'node:fs';
import type { XattrAccess } from '../../archive/xattr.js';
import type { Logger } from '../../log.js';
import type { BuildOptions } from '../options.js';
import type { Workspace } from '../workspace.js';
import { exportCacheMounts, importCacheMounts } from './cache-mount-archive.js';
import { CacheMountStore } from './cache-mounts.js';
import { SecretStore } from './secret-store.js';
import { SshAgents } from './ssh-agents.js';

export class RunMountServices {
  private store: Promise<CacheMountStore> | undefined;
  /** Read-only copies of context sources, by source path (the context does not change during a build). */
  readonly contextCopies = new Map<string, Promise<string>>();

  private constructor(
    private readonly options: BuildOptions,
    private readonly workspace: Workspace,
    private readonly log: Logger,
    private readonly xattrs: XattrAccess | undefined,
    readonly secrets: SecretStore,
    readonly ssh: SshAgents,
  ) {}

  static async open(
    options: BuildOptions,
    workspace: Workspace,
    log: Logger,
    xattrs: XattrAccess | undefined,
  ): Promise<RunMountServices> {
    const secrets = await SecretStore.load(options.secrets);
    return new RunMountServices(options, workspace, log, xattrs, secrets, new SshAgents(options.ssh));
  }

  /** The cache mount store, opened (and loaded from the archive) on first use. */
  caches(): Promise<CacheMountStore> {
    this.store ??= (async () => {
      const { dir, archive } = this.options.cacheMounts;
      const root = dir ?? (await this.workspace.dir('cache-mounts'));
      if (archive && existsSync(archive)) {
        const started = Date.now();
        try {
          const n = await importCacheMounts(archive, root, this.xattrs);
          this.log.info(`cache mounts: ${n} entries loaded from ${archive} in ${Date.now() - started} ms`);
        } catch (e) {
          this.log.warn(`cache mounts: cannot load ${archive}, starting empty: ${(e as Error).message}`);
        }
      }
      return new CacheMountStore(root);
    })();
    return this.store;
  }

  /** Saves the cache mounts to the archive (when asked and used), stops the SSH agents. Never throws. */
  async dispose(): Promise<void> {
    await this.ssh.dispose().catch((e: Error) => this.log.warn(`stopping the SSH agents: ${e.message}`));
    const archive = this.options.cacheMounts.archive;
    const store = await this.store?.catch(() => undefined);
    if (!archive || !store) return;
    const started = Date.now();
    try {
      const n = await exportCacheMounts(store.root, archive, this.xattrs);
      this.log.info(`cache mounts: ${n} entries saved to ${archive} in ${Date.now() - started} ms`);
    } catch (e) {
      this.log.warn(`cache mounts: cannot save them to ${archive}: ${(e as Error).message}`);
    }
  }
}
