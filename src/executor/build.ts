/**
 * build(): Dockerfile → plan → stages in dependency order → final image →
 * outputs. Errors a user can cause in the Dockerfile surface before any
 * pull; the workspace (and any overlay mounts in it) is removed at the end.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { detectXattrs } from '../archive/xattr.js';
import { createLayerCache } from '../cache/create.js';
import { checkDockerfile, reportFindings } from '../checks/build-checks.js';
import { parseDockerfile } from '../dockerfile/dockerfile.js';
import { loadDockerignore } from '../dockerfile/dockerignore.js';
import { DockerfileError } from '../dockerfile/errors.js';
import type { StageScope } from '../dockerfile/scope.js';
import { type PlannedStage, planStages } from '../dockerfile/stages.js';
import { CompressionError, zstdUnavailable } from '../image/compression.js';
import { type Image, imageFromParts } from '../image/image.js';
import type { Platform } from '../image/manifest.js';
import { formatPlatform, hostPlatform, parsePlatform } from '../image/platform.js';
import { parseReference } from '../image/reference.js';
import type { Logger } from '../log.js';
import { RegistryClient } from '../registry/client.js';
import { dockerConfigCredentials } from '../registry/credentials.js';
import { pullImage } from '../registry/pull.js';
import { isUnavailable, type Sandbox } from './isolation/isolation.js';
import { selectSandbox } from './isolation/select.js';
import type { BuildOptions } from './options.js';
import { writeOutputs } from './outputs.js';
import type { BuildResult, StepReport } from './result.js';
import { unmountUnder } from './snapshot/overlay.js';
import { probeOverlay } from './snapshot/select.js';
import type { BuildContext, FinishedStage } from './stage/build-context.js';
import { StageBuilder } from './stage/stage-builder.js';
import { createStageDir, StageFilesystem } from './stage/stage-fs.js';
import type { FromResolver, FromSource } from './steps/copy-instruction.js';
import { SourceTree } from './steps/source-tree.js';
import { createWorkspace } from './workspace.js';

/** Stages build as soon as what they depend on is built, two at a time (the cores). */
export const STAGE_CONCURRENCY = 2;

/**
 * Runs the planned stages in dependency order, independent ones in
 * parallel. The first failure aborts the others (their RUNs are killed)
 * and is the error thrown. Returns the last (target) stage.
 */
async function buildStages(
  stages: PlannedStage[],
  buildOne: (planned: PlannedStage, position: number) => Promise<FinishedStage>,
  finished: (index: number, stage: FinishedStage) => void,
  abort: AbortController,
): Promise<FinishedStage | undefined> {
  const done = new Map<number, Promise<FinishedStage>>();
  let failure: { error: unknown } | undefined;
  let running = 0;
  const waiters: (() => void)[] = [];
  const slot = async () => {
    while (running >= STAGE_CONCURRENCY) await new Promise<void>((r) => waiters.push(r));
    running++;
  };
  const release = () => {
    running--;
    waiters.shift()?.();
  };
  stages.forEach((planned, i) => {
    const p = (async () => {
      await Promise.all(planned.dependsOn.map((d) => done.get(d)));
      abort.signal.throwIfAborted();
      await slot();
      try {
        abort.signal.throwIfAborted();
        const stage = await buildOne(planned, i + 1);
        finished(planned.index, stage);
        return stage;
      } finally {
        release();
      }
    })();
    p.catch((error: unknown) => {
      failure ??= { error };
      abort.abort(new Error('another stage failed'));
    });
    done.set(planned.index, p);
  });
  await Promise.allSettled(done.values());
  if (failure) throw failure.error;
  const last = stages[stages.length - 1];
  return last ? done.get(last.index) : undefined;
}

/** Side effects a caller (tests, the action) may replace. */
export interface BuildDeps {
  registry?: RegistryClient;
  now?: () => Date;
}

/** `fn` run on first call only; its promise is added to `started` (awaited before cleanup). */
function once<T>(fn: () => Promise<T>, started: Promise<unknown>[]): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => {
    if (!p) {
      p = fn();
      started.push(p.catch(() => undefined));
    }
    return p;
  };
}

async function readDockerfile(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DockerfileError(
      file,
      undefined,
      code === 'ENOENT' ? 'no such file: pass --dockerfile (relative to --context)' : (e as Error).message,
    );
  }
}

/**
 * `rm -rf` in a child process, so the removal runs beside the push rather
 * than on (or queued behind) the event loop. Never rejects: what it leaves,
 * the workspace removal takes.
 */
function removeDirs(dirs: string[]): Promise<void> {
  if (dirs.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const child = spawn('rm', ['-rf', '--one-file-system', '--', ...dirs], { stdio: 'ignore' });
    child.on('error', () => resolve());
    child.on('close', () => resolve());
  });
}

export async function build(options: BuildOptions, log: Logger, deps: BuildDeps = {}): Promise<BuildResult> {
  const started = Date.now();
  const now = deps.now?.() ?? new Date();
  const display = path.relative(process.cwd(), options.dockerfile) || options.dockerfile;

  // Everything a user can get wrong in the Dockerfile or the references, before any pull.
  const df = parseDockerfile(await readDockerfile(options.dockerfile), display, {
    ignoreSyntax: options.ignoreSyntax,
    override: options.buildArgs.get('BUILDKIT_SYNTAX'),
  });
  log.debug(df.syntax.description);
  const host = hostPlatform();
  let target: Platform = host;
  if (options.platform) target = parsePlatform(options.platform);
  const plan = planStages(df, {
    target: options.target,
    buildArgs: options.buildArgs,
    buildPlatform: host,
    targetPlatform: target,
  });
  for (const w of plan.warnings) log.warn(w.line ? `${display}:${w.line}: ${w.message}` : w.message);
  const destinations = options.destinations.map((d) => parseReference(d));
  const ignore = await loadDockerignore(options.context, options.dockerfile);
  const noZstd = options.compression === 'zstd' ? await zstdUnavailable() : undefined;
  if (noZstd) throw new CompressionError(`--compression zstd: ${noZstd}`);

  const epoch = options.sourceDateEpoch ?? (options.reproducible ? 0 : undefined);
  const created =
    epoch !== undefined ? new Date(epoch * 1000).toISOString().replace(/\.000Z$/, 'Z') : now.toISOString();

  const workspace = await createWorkspace({ path: options.workspace, keep: options.keepWorkspace });
  const ownRegistry = !deps.registry;
  const credentials = dockerConfigCredentials(
    options.dockerConfig ? { configPath: options.dockerConfig } : {},
  );
  const registry = deps.registry ?? RegistryClient.fromBuildOptions(options, { credentials, logger: log });
  // The layer cache's own client: its retries are debug notes (an unreachable cache is one warning).
  const cacheRegistry =
    deps.registry ??
    (options.cache.enabled && options.cache.repo
      ? RegistryClient.fromBuildOptions(
          { ...options, pushRetry: Math.min(options.pushRetry, 3) },
          { credentials, logger: { ...log, warn: (m: string) => log.debug(m) } },
        )
      : registry);
  const pulled = new Map<string, Promise<Image>>();
  const steps: StepReport[] = [];
  /** Lazily started work that writes in the workspace (awaited before it is removed). */
  const inWorkspace: Promise<unknown>[] = [];
  const abort = new AbortController();
  const ctx: BuildContext = {
    options,
    log,
    workspace,
    registry,
    context: new SourceTree(options.context, 'build context', ignore.matcher),
    platform: target,
    created,
    clampMtime: epoch,
    xattrs: detectXattrs(),
    cache: await createLayerCache({
      options,
      registry: cacheRegistry,
      log,
      workspaceRoot: workspace.root,
      now: deps.now,
    }),
    stages: new Map(),
    steps,
    signal: abort.signal,
    sandbox: once(async (): Promise<Sandbox> => {
      const s = await selectSandbox(options.isolation, log, { scratchDir: workspace.root });
      if (isUnavailable(s)) throw new Error(`RUN is not possible here: ${s.unavailable}`);
      log.info(`RUN isolation: ${s.kind}`);
      return s;
    }, inWorkspace),
    overlayProbe: once(() => probeOverlay(workspace.root), inWorkspace),
    pullImage(ref, platform) {
      const key = `${ref}\0${formatPlatform(platform)}`;
      let p = pulled.get(key);
      if (!p) {
        p = (async () => {
          const r = parseReference(ref);
          log.info(`pulling ${r} (${formatPlatform(platform)})`);
          const img = await pullImage(registry, r, { platform });
          // With a local cache, base layers are read from (and kept in) it instead of pulled again.
          const keep = ctx.cache?.keepLayer?.bind(ctx.cache);
          const layers = keep ? img.layers.map((l) => keep(l)) : img.layers;
          return imageFromParts(img.mediaType, img.configBytes, layers, { manifest: img.manifestBytes });
        })();
        pulled.set(key, p);
      }
      return p;
    },
  };

  // Choosing the sandbox and probing overlay need nothing from the images: without a
  // cache, do both while the bases are pulled and extracted (about 0.4 s off a RUN build).
  // With one, RUN steps may all be hits: the first miss starts them.
  if (
    !ctx.cache &&
    plan.stages.some((p) => [...p.onbuild, ...p.stage.instructions].some((i) => i.kind === 'run'))
  ) {
    ctx.sandbox().catch(() => undefined);
    ctx.overlayProbe().catch(() => undefined);
  }

  const scopes = new Map<number, StageScope>();
  const imageTrees = new Map<string, Promise<FromSource>>();
  const from: FromResolver = {
    async stageTree(index) {
      const s = ctx.stages.get(index);
      if (!s) throw new Error(`internal: stage ${index} is not built yet`);
      const tree = once(async () => {
        await s.fs.materialize(s.image, s.label);
        return new SourceTree(s.fs.dir, `stage ${s.label}`);
      }, inWorkspace);
      return { key: s.key, tree };
    },
    imageTree(ref) {
      let p = imageTrees.get(ref);
      if (!p) {
        p = (async () => {
          const img = await ctx.pullImage(ref, target);
          const tree = once(async () => {
            const dir = await workspace.dir('copy-from-image');
            await createStageDir(dir);
            const sfs = new StageFilesystem(dir, ctx.xattrs, log);
            await sfs.materialize(img, ref);
            return new SourceTree(dir, `image ${ref}`);
          }, inWorkspace);
          return { key: img.digest(), tree };
        })();
        imageTrees.set(ref, p);
      }
      return p;
    },
  };

  let cacheFlushed = false;
  let removing: Promise<void> | undefined;
  try {
    // Build checks: warnings on their lines; with `# check=error=true` they stop the build here.
    const checks = await checkDockerfile(df, {
      buildArgs: options.buildArgs,
      buildPlatform: host,
      targetPlatform: target,
      target: options.target,
      stages: plan.stages.map((p) => p.index),
      dockerignore: ignore.matcher,
      pull: (ref, platform) => ctx.pullImage(ref, platform),
    });
    reportFindings(checks, log);
    if (checks.error) throw checks.error;
    const finished = await buildStages(
      plan.stages,
      (planned, position) =>
        new StageBuilder({
          ctx,
          df,
          plan,
          planned,
          position,
          count: plan.stages.length,
          from,
          scopes,
        }).build(),
      (index, stage) => ctx.stages.set(index, stage),
      abort,
    );
    if (!finished) throw new DockerfileError(display, undefined, 'nothing to build');
    if (ctx.cache) {
      cacheFlushed = true;
      for (const w of await ctx.cache.flush()) log.warn(w);
      const cacheable = steps.filter((s) => s.cache === 'hit' || s.cache === 'miss');
      const hits = cacheable.filter((s) => s.cache === 'hit').length;
      log.info(`layer cache: ${hits}/${cacheable.length} steps cached (${ctx.cache.name})`);
    }

    let image = finished.image;
    if (options.labels.size > 0) {
      image = image.withConfig((c) => {
        c.config.Labels = { ...(c.config.Labels ?? {}), ...Object.fromEntries(options.labels) };
      });
    }
    image = image
      .withConfig((c) => {
        c.created = created;
      })
      .withFormat('oci');

    // Nothing reads the stage filesystems any more: remove them while the image is pushed.
    removing = removeDirs([...ctx.stages.values()].map((s) => s.fs.dir));
    const out = await writeOutputs(ctx, image, destinations);
    const result: BuildResult = {
      digest: image.digest(),
      configDigest: image.configDescriptor().digest,
      size: image.totalSize(),
      layers: image.layers.length,
      references: out.pushed,
      steps,
      cacheHits: steps.filter((s) => s.cache === 'hit').length,
      durationMs: Date.now() - started,
      refreshed: out.refreshed,
    };
    log.info(
      `built ${result.digest} (${result.layers} layers, ${(result.size / 1048576).toFixed(1)} MiB) in ${(result.durationMs / 1000).toFixed(1)} s`,
    );
    return result;
  } finally {
    // A failed build still stores the steps that finished: the next attempt starts from them.
    if (ctx.cache && !cacheFlushed) {
      for (const w of await ctx.cache.flush().catch((e: Error) => [e.message])) log.warn(w);
    }
    const cleanup = Date.now();
    // A probe or extraction still running (started early, or by a stage a failure cut short)
    // writes in the workspace: it must end before the workspace goes.
    await Promise.all(inWorkspace);
    await removing;
    await unmountUnder(workspace.root).catch((e: Error) =>
      log.warn(`unmounting the workspace: ${e.message}`),
    );
    await workspace.dispose().catch((e: Error) => log.warn(`removing the workspace: ${e.message}`));
    log.debug(`timing: cleanup ${Date.now() - cleanup} ms`);
    if (ownRegistry) await registry.close();
    if (cacheRegistry !== registry) await cacheRegistry.close();
  }
}
