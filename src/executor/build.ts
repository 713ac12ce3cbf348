/**
 * build(): options → prepared plan (every user error, and a missing
 * emulator, before any pull) → session → every target platform's stages
 * (multi-platform.ts) → an image, or an index of one image per platform →
 * outputs. The session (workspace, mounts, registry clients) is disposed of
 * at the end, whatever happened.
 */
import { checkDockerfile, reportFindings } from '../dockerfile/checks/build-checks.js';
import { hostPlatform } from '../image/platform.js';
import type { Logger } from '../log.js';
import { artifactDigest, assembleArtifact, describeArtifact, finishImage } from './artifact.js';
import { checkEmulation } from './emulation-check.js';
import { buildPlatforms, planTargets } from './multi-platform.js';
import type { BuildOptions } from './options.js';
import { writeOutputs } from './outputs.js';
import { guardOutputs } from './partial-outputs.js';
import { prepareBuild, stagePlatforms } from './plan.js';
import { checkPushAccess } from './push-access.js';
import type { BuildResult } from './result.js';
import { BuildSession, type BuildDeps as SessionDeps } from './session.js';

/** Side effects a caller (tests, the action) may replace. */
export interface BuildDeps extends SessionDeps {
  /** The binfmt_misc mount the emulation check reads (default /proc/sys/fs/binfmt_misc). */
  binfmtDir?: string;
}

/** RFC 3339 time of the image: SOURCE_DATE_EPOCH / --reproducible, else now. */
function creationTime(options: BuildOptions, now: Date): { created: string; clampMtime: number | undefined } {
  const epoch = options.sourceDateEpoch ?? (options.reproducible ? 0 : undefined);
  const created =
    epoch !== undefined ? new Date(epoch * 1000).toISOString().replace(/\.000Z$/, 'Z') : now.toISOString();
  return { created, clampMtime: epoch };
}

export async function build(options: BuildOptions, log: Logger, deps: BuildDeps = {}): Promise<BuildResult> {
  const started = Date.now();
  const prepared = await prepareBuild(options, log);
  const stages = prepared.targets.flatMap((t) => {
    const platforms = stagePlatforms(t.plan, t.platform);
    return t.plan.stages.map((planned) => ({ planned, platform: platforms.get(planned.index)! }));
  });
  await checkEmulation(stages, hostPlatform(), log, deps.binfmtDir);
  const session = await BuildSession.open(options, log, deps, {
    platform: prepared.targets[0]!.platform,
    ...creationTime(options, deps.now?.() ?? new Date()),
    ignore: prepared.ignore.matcher,
  });
  let cacheFlushed = false;
  let releasing: Promise<unknown> | undefined;
  try {
    // The push check runs beside the base image pulls (its round trips off the critical path),
    // and still fails the build before any step runs.
    const access =
      options.push && prepared.destinations.length > 0 && !options.skipPushPermissionCheck
        ? checkPushAccess(session.registry, prepared.destinations, log)
        : undefined;
    access?.catch(() => undefined);
    const targets = await planTargets(session, prepared, deps.binfmtDir).catch(async (e: unknown) => {
      await access; // a refused push says so first
      throw e;
    });
    await access;
    // Build checks: warnings on their lines; with `# check=error=true` they stop the build here.
    const checks = await checkDockerfile(prepared.df, {
      ...prepared.targets[0]!.planOptions,
      stages: targets[0]!.plan.stages.map((p) => p.index),
      dockerignore: prepared.ignore.matcher,
      pull: (ref, platform) => session.pullImage(ref, platform),
    });
    reportFindings(checks, log);
    if (checks.error) throw checks.error;
    const built = await buildPlatforms(session, prepared, targets);
    const { steps } = built;
    if (session.cache) {
      cacheFlushed = true;
      for (const w of await session.cache.flush()) log.warn(w);
      const cacheable = steps.filter((s) => s.cache === 'hit' || s.cache === 'miss');
      const hits = cacheable.filter((s) => s.cache === 'hit').length;
      log.info(`layer cache: ${hits}/${cacheable.length} steps cached (${session.cache.name})`);
    }
    const artifact = assembleArtifact(
      built.targets.map((t) => finishImage(t.image, options.labels, session.created)),
    );
    // Nothing reads the stage roots any more: free them while the image is pushed.
    releasing = built.release();
    const out = await guardOutputs(session, options, () =>
      writeOutputs(session, artifact, prepared.destinations),
    );
    const result: BuildResult = {
      ...describeArtifact(artifact),
      references: out.pushed,
      steps,
      cacheHits: steps.filter((s) => s.cache === 'hit').length,
      durationMs: Date.now() - started,
      refreshed: out.refreshed,
      ...(out.unchanged ? { unchanged: out.unchanged } : {}),
    };
    const what = result.platforms
      ? `index of ${result.platforms.length} platforms`
      : `${result.layers} layers`;
    log.info(
      `built ${artifactDigest(artifact)} (${what}, ${(result.size / 1048576).toFixed(1)} MiB) in ${(result.durationMs / 1000).toFixed(1)} s`,
    );
    for (const p of result.platforms ?? []) log.info(`  ${p.platform}: ${p.digest}`);
    return result;
  } catch (e) {
    session.abort(e instanceof Error ? e : new Error(String(e)));
    throw e;
  } finally {
    // A failed build still stores the steps that finished: the next attempt starts from them.
    if (session.cache && !cacheFlushed) {
      for (const w of await session.cache.flush().catch((e: Error) => [e.message])) log.warn(w);
    }
    await releasing;
    await session.dispose();
  }
}
