/**
 * build(): options → prepared plan (every user error before any pull) →
 * session → stages in dependency order → final image → outputs. The session
 * (workspace, mounts, registry clients) is disposed of at the end, whatever
 * happened.
 */
import { checkDockerfile, reportFindings } from '../dockerfile/checks/build-checks.js';
import { DockerfileError } from '../dockerfile/errors.js';
import type { Logger } from '../log.js';
import type { BuildOptions } from './options.js';
import { writeOutputs } from './outputs.js';
import { guardOutputs } from './partial-outputs.js';
import { planWithBaseImages, prepareBuild, stagePlatform } from './plan.js';
import { checkPushAccess } from './push-access.js';
import type { BuildResult, StepReport } from './result.js';
import { scheduleStages } from './schedule.js';
import { type BuildDeps, BuildSession } from './session.js';
import { FromSources } from './stage/from-sources.js';
import { buildStage, type FinishedStage } from './stage/stage-builder.js';

export type { BuildDeps } from './session.js';

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
  const session = await BuildSession.open(options, log, deps, {
    platform: prepared.platform,
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
    const plan = await planWithBaseImages(prepared, (ref, platform) =>
      session.pullImage(ref, platform),
    ).catch(async (e: unknown) => {
      await access; // a refused push says so first
      throw e;
    });
    await access;
    // Build checks: warnings on their lines; with `# check=error=true` they stop the build here.
    const checks = await checkDockerfile(prepared.df, {
      ...prepared.planOptions,
      stages: plan.stages.map((p) => p.index),
      dockerignore: prepared.ignore.matcher,
      pull: (ref, platform) => session.pullImage(ref, platform),
    });
    reportFindings(checks, log);
    if (checks.error) throw checks.error;
    // Choosing the RUN sandbox and probing overlay need nothing from the images: without a
    // cache, do both while the bases are extracted. With one, RUN steps may all be hits.
    if (
      !session.cache &&
      plan.stages.some((p) => [...p.onbuild, ...p.stage.instructions].some((i) => i.kind === 'run'))
    ) {
      session.isolation.warmUp();
    }
    const reports = new Map<number, StepReport[]>();
    const { finished, last } = await scheduleStages<FinishedStage>(
      plan.stages,
      async (planned, done) => {
        const platform = stagePlatform(planned, prepared.platform);
        const { stage, steps } = await buildStage({
          session,
          df: prepared.df,
          plan,
          planned,
          platform,
          from: new FromSources(session, done, platform),
          finished: done,
        });
        reports.set(planned.index, steps);
        return stage;
      },
      session,
      session.isolation.oneStageAtATime ? 1 : undefined,
    );
    if (!last) throw new DockerfileError(prepared.display, undefined, 'nothing to build');
    const steps = plan.stages.flatMap((p) => reports.get(p.index) ?? []);
    if (session.cache) {
      cacheFlushed = true;
      for (const w of await session.cache.flush()) log.warn(w);
      const cacheable = steps.filter((s) => s.cache === 'hit' || s.cache === 'miss');
      const hits = cacheable.filter((s) => s.cache === 'hit').length;
      log.info(`layer cache: ${hits}/${cacheable.length} steps cached (${session.cache.name})`);
    }

    let image = last.image;
    if (options.labels.size > 0) {
      image = image.withConfig((c) => {
        c.config.Labels = { ...(c.config.Labels ?? {}), ...Object.fromEntries(options.labels) };
      });
    }
    image = image
      .withConfig((c) => {
        c.created = session.created;
      })
      .withFormat('oci');

    // Nothing reads the stage roots any more: free them while the image is pushed.
    releasing = Promise.all([...finished.values()].map((s) => s.root.release()));
    const out = await guardOutputs(session, options, () =>
      writeOutputs(session, image, prepared.destinations),
    );
    const result: BuildResult = {
      digest: image.digest(),
      mediaType: image.mediaType,
      manifestSize: image.manifestBytes().length,
      configDigest: image.configDescriptor().digest,
      layerDigests: image.layers.map((l) => l.digest),
      size: image.totalSize(),
      layers: image.layers.length,
      references: out.pushed,
      steps,
      cacheHits: steps.filter((s) => s.cache === 'hit').length,
      durationMs: Date.now() - started,
      refreshed: out.refreshed,
      ...(out.unchanged ? { unchanged: out.unchanged } : {}),
    };
    log.info(
      `built ${result.digest} (${result.layers} layers, ${(result.size / 1048576).toFixed(1)} MiB) in ${(result.durationMs / 1000).toFixed(1)} s`,
    );
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
