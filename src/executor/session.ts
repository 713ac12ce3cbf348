/**
 * One build's session: what every stage of the build shares and what must
 * be released at its end — the workspace, the registry clients, the layer
 * cache, the isolation, the pulled images, the build context tree and the
 * abort signal. Per-stage state is not here: it is passed explicitly
 * (stage/stage-builder.ts), as BuildKit's dockerfile2llb passes it.
 *
 *   const session = await BuildSession.open(options, log, deps, settings);
 *   try { … } finally { await session.dispose(); }
 */
import { rmSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { detectXattrs, type XattrAccess } from '../archive/xattr.js';
import { createLayerCache } from '../cache/create.js';
import type { LayerCache } from '../cache/layer-cache.js';
import type { IgnoreMatcher } from '../dockerfile/dockerignore.js';
import type { Layer } from '../image/blob.js';
import type { Compression } from '../image/compression.js';
import { type Image, imageFromParts } from '../image/image.js';
import { writeLayerBlob } from '../image/layer.js';
import type { Platform } from '../image/manifest.js';
import { formatPlatform } from '../image/platform.js';
import { parseReference } from '../image/reference.js';
import type { InterruptHandle } from '../interrupt.js';
import type { Logger } from '../log.js';
import { RegistryClient } from '../registry/client.js';
import { dockerConfigCredentials } from '../registry/credentials.js';
import { pullImage } from '../registry/pull.js';
import { unmountUnder, unmountUnderSync } from './fs/mounts.js';
import type { Isolation } from './isolation/isolation.js';
import { createIsolation, inPlaceKeep } from './isolation/select.js';
import { cacheConfig, registryClientOptions } from './library-options.js';
import { RunMountServices } from './mounts/run-mount-services.js';
import type { BuildOptions } from './options.js';
import { SourceTree } from './steps/source-tree.js';
import { createWorkspace, type Workspace } from './workspace.js';

/** Side effects a caller (tests, the action) may replace. */
export interface BuildDeps {
  registry?: RegistryClient;
  now?: () => Date;
  /**
   * The front door's signal handling: its signal stops the build (RUNs are
   * killed, the session is disposed of); what must not outlive a hard exit
   * is registered on it.
   */
  interrupt?: InterruptHandle;
}

/** What build() decided before the session opens. */
export interface SessionSettings {
  /** The platform the build targets. */
  platform: Platform;
  /** History/config timestamp (RFC 3339). */
  created: string;
  /** Seconds: layer mtimes newer than this are clamped (--reproducible / SOURCE_DATE_EPOCH). */
  clampMtime: number | undefined;
  /** The .dockerignore of the build context. */
  ignore: IgnoreMatcher | undefined;
}

export class BuildSession {
  /** Aborted when the build fails: running RUNs are killed, waiting stages do not start. */
  readonly signal: AbortSignal;
  /** The Docker build context (the files COPY and ADD read). */
  readonly contextTree: SourceTree;
  readonly xattrs: XattrAccess | undefined;
  private readonly abortController = new AbortController();
  private readonly pulled = new Map<string, Promise<Image>>();
  /** Lazily started work that writes in the workspace (awaited before it is removed). */
  private readonly inWorkspace: Promise<unknown>[] = [];
  /** Undoes what was registered with the front door's interrupt handling. */
  private readonly unregister: (() => void)[] = [];

  private constructor(
    readonly options: BuildOptions,
    readonly log: Logger,
    readonly settings: SessionSettings,
    readonly workspace: Workspace,
    readonly registry: RegistryClient,
    /** The layer cache's client (its retries are debug notes), or `registry`. */
    private readonly cacheRegistry: RegistryClient,
    private readonly ownsRegistry: boolean,
    readonly cache: LayerCache | undefined,
    xattrs: XattrAccess | undefined,
    private readonly interrupt: InterruptHandle | undefined,
    readonly isolation: Isolation,
    /** Secrets, SSH agents and cache mounts of RUN --mount. */
    readonly runMounts: RunMountServices,
  ) {
    this.signal = this.abortController.signal;
    if (interrupt) {
      const stop = () => this.abort(interrupt.signal.reason as Error);
      if (interrupt.signal.aborted) stop();
      interrupt.signal.addEventListener('abort', stop, { once: true });
      this.unregister.push(() => interrupt.signal.removeEventListener('abort', stop));
      // A hard exit (second signal) still unmounts and removes the workspace.
      const root = workspace.root;
      this.unregister.push(
        interrupt.onExit(() => {
          unmountUnderSync(root);
          if (!options.keepWorkspace) rmSync(root, { recursive: true, force: true });
        }),
      );
    }
    this.contextTree = new SourceTree(options.context, 'build context', settings.ignore);
    this.xattrs = xattrs;
  }

  static async open(
    options: BuildOptions,
    log: Logger,
    deps: BuildDeps,
    settings: SessionSettings,
  ): Promise<BuildSession> {
    const workspace = await createWorkspace({ path: options.workspace, keep: options.keepWorkspace, log });
    const credentials = dockerConfigCredentials(
      options.dockerConfig ? { configPath: options.dockerConfig } : {},
    );
    const registry =
      deps.registry ?? new RegistryClient(registryClientOptions(options, { credentials, logger: log }));
    // The layer cache's own client: its retries are debug notes (an unreachable cache is one warning).
    const cacheRegistry =
      deps.registry ??
      (options.cache.enabled && options.cache.repo
        ? new RegistryClient(
            registryClientOptions(
              { ...options, pushRetry: Math.min(options.pushRetry, 3) },
              { credentials, logger: { ...log, warn: (m: string) => log.debug(m) } },
            ),
          )
        : registry);
    let runMounts: RunMountServices | undefined;
    try {
      const xattrs = detectXattrs();
      runMounts = await RunMountServices.open(options, workspace, log, xattrs);
      const cache = await createLayerCache({
        config: cacheConfig(options),
        registry: cacheRegistry,
        log,
        now: deps.now,
      });
      const isolation = await createIsolation({
        requested: options.isolation,
        snapshotMode: options.snapshotMode,
        workspace,
        xattrs,
        store: options.store,
        log,
        force: options.force,
        cleanup: options.cleanup,
        keep: inPlaceKeep(options),
      });
      return new BuildSession(
        options,
        log,
        settings,
        workspace,
        registry,
        cacheRegistry,
        !deps.registry,
        cache,
        xattrs,
        deps.interrupt,
        isolation,
        runMounts,
      );
    } catch (e) {
      await runMounts?.dispose();
      await workspace.dispose().catch(() => undefined);
      throw e;
    }
  }

  get platform(): Platform {
    return this.settings.platform;
  }

  get created(): string {
    return this.settings.created;
  }

  get clampMtime(): number | undefined {
    return this.settings.clampMtime;
  }

  /** Stops the build: running RUNs are killed, stages not started yet do not start. */
  abort(reason: Error): void {
    this.abortController.abort(reason);
  }

  /** Work started lazily that writes in the workspace: dispose() waits for it. */
  track<T>(p: Promise<T>): Promise<T> {
    this.inWorkspace.push(p.catch(() => undefined));
    return p;
  }

  /** Pulls (once per reference and platform) an image for FROM or COPY --from; layers stay lazy. */
  pullImage(ref: string, platform: Platform): Promise<Image> {
    const key = `${ref}\0${formatPlatform(platform)}`;
    let p = this.pulled.get(key);
    if (!p) {
      p = (async () => {
        const r = parseReference(ref);
        this.log.info(`pulling ${r} (${formatPlatform(platform)})`);
        const img = await pullImage(this.registry, r, { platform });
        // With a local cache, base layers are read from (and kept in) it instead of pulled again.
        const keep = this.cache?.keepLayer?.bind(this.cache);
        const layers = keep ? img.layers.map((l) => keep(l)) : img.layers;
        return imageFromParts(img.mediaType, img.configBytes, layers, { manifest: img.manifestBytes });
      })();
      this.pulled.set(key, p);
    }
    return p;
  }

  /** Writes a layer tar into the workspace as a blob, hashed in one pass. */
  storeLayer(tar: Readable, compression: Compression): Promise<Layer> {
    const name =
      compression === 'gzip' ? 'layer.tar.gz' : compression === 'zstd' ? 'layer.tar.zst' : 'layer.tar';
    return writeLayerBlob(tar, this.workspace.file(name), {
      compression,
      level: this.options.compressionLevel,
    });
  }

  /**
   * Ends the session: flushes nothing (the caller flushed the cache), waits
   * for work still writing in the workspace, unmounts, removes the
   * workspace, closes the registry clients. Never throws: problems are
   * warnings.
   */
  async dispose(): Promise<void> {
    const { log } = this;
    const started = Date.now();
    // A probe or extraction still running (started early, or by a stage a failure cut short)
    // writes in the workspace: it must end before the workspace goes.
    await Promise.all(this.inWorkspace);
    await this.isolation
      .dispose({ failed: this.signal.aborted })
      .catch((e: Error) => log.warn(`ending the isolation: ${e.message}`));
    await this.runMounts.dispose();
    await unmountUnder(this.workspace.root).catch((e: Error) =>
      log.warn(`unmounting the workspace: ${e.message}`),
    );
    await this.workspace.dispose().catch((e: Error) => log.warn(`removing the workspace: ${e.message}`));
    log.debug(`timing: cleanup ${Date.now() - started} ms`);
    if (this.ownsRegistry) await this.registry.close();
    if (this.cacheRegistry !== this.registry) await this.cacheRegistry.close();
    for (const u of this.unregister) u();
  }

  /** Registers synchronous cleanup for a hard exit (a second signal); returns its removal. */
  onExit(cleanup: () => void): () => void {
    return this.interrupt?.onExit(cleanup) ?? (() => undefined);
  }
}

/** `12.3 MiB` for logs. */
export function layerSize(layer: Layer): string {
  return `${(layer.size / 1048576).toFixed(1)} MiB`;
}
