/**
 * Before a build starts: the Dockerfile read, parsed and planned, the
 * references and outputs checked — everything a user can get wrong, before
 * any pull. Then, once the base images' configs are known, the plan again
 * with their ONBUILD triggers (a trigger's COPY --from can add a stage), as
 * BuildKit's dockerfile2llb does.
 */

import fs from 'node:fs/promises';
import path from 'node:path';
import { type ParsedDockerfile, parseDockerfile } from '../dockerfile/dockerfile.js';
import { type Dockerignore, loadDockerignore } from '../dockerfile/dockerignore.js';
import { DockerfileError } from '../dockerfile/errors.js';
import { type BuildPlan, type PlannedStage, type PlanOptions, planStages } from '../dockerfile/stages.js';
import { setting } from '../hints.js';
import { CompressionError, zstdUnavailable } from '../image/compression.js';
import type { Image } from '../image/image.js';
import type { Platform } from '../image/manifest.js';
import { formatPlatform, hostPlatform, PlatformError, parsePlatform } from '../image/platform.js';
import { parseReference, type Reference } from '../image/reference.js';
import type { Logger } from '../log.js';
import { assertPlanEntitled } from './entitlements.js';
import type { BuildOptions } from './options.js';
import { excludingOwnPaths } from './own-paths.js';

/** The plan of one target platform. */
export interface TargetPlan {
  platform: Platform;
  planOptions: PlanOptions;
  /** The plan without base image triggers. */
  plan: BuildPlan;
}

export interface PreparedBuild {
  df: ParsedDockerfile;
  /** The Dockerfile's name in messages (relative to the working directory). */
  display: string;
  /** One per target platform, in the order asked (the host's when none was). */
  targets: TargetPlan[];
  destinations: Reference[];
  ignore: Dockerignore;
}

/** The Dockerfile's text; a missing or unreadable file is a DockerfileError naming it. */
export async function readDockerfile(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DockerfileError(
      file,
      undefined,
      code === 'ENOENT'
        ? `no such file: name the Dockerfile with ${setting('dockerfile')} (relative to ${setting('context')})`
        : (e as Error).message,
    );
  }
}

export async function prepareBuild(options: BuildOptions, log: Logger): Promise<PreparedBuild> {
  const display = path.relative(process.cwd(), options.dockerfile) || options.dockerfile;
  const df = parseDockerfile(await readDockerfile(options.dockerfile), display, {
    ignoreSyntax: options.ignoreSyntax,
    override: options.buildArgs.get('BUILDKIT_SYNTAX'),
  });
  log.debug(df.syntax.description);
  const host = hostPlatform();
  const targets = targetPlatforms(options.platforms, host).map((platform): TargetPlan => {
    const planOptions: PlanOptions = {
      target: options.target,
      buildArgs: options.buildArgs,
      buildPlatform: host,
      targetPlatform: platform,
    };
    return { platform, planOptions, plan: planStages(df, planOptions) };
  });
  for (const t of targets) assertPlanEntitled(t.plan, options);
  // The warnings do not depend on the platform: once.
  for (const w of targets[0]!.plan.warnings)
    log.warn(w.line ? `${display}:${w.line}: ${w.message}` : w.message);
  const destinations = options.destinations.map((d) => parseReference(d));
  if (targets.length > 1 && options.tarPath) {
    throw new PlatformError(
      `--tar-path writes a docker-archive, which holds one platform; ${targets.length} were asked for: build one platform, or write --oci-layout-path`,
    );
  }
  const ignore = excludingOwnPaths(await loadDockerignore(options.context, options.dockerfile), options, log);
  const noZstd = options.compression === 'zstd' ? await zstdUnavailable() : undefined;
  if (noZstd) throw new CompressionError(`${setting('compression', 'zstd')}: ${noZstd}`);
  return { df, display, targets, destinations, ignore };
}

/** The platforms asked for, parsed, normalised and without repeats; the host's when none. */
export function targetPlatforms(asked: readonly string[], host: Platform): Platform[] {
  if (asked.length === 0) return [host];
  const out = new Map<string, Platform>();
  for (const text of asked) {
    const p = parsePlatform(text);
    out.set(formatPlatform(p), p);
  }
  return [...out.values()];
}

/** A stage's FROM --platform, parsed (a located error when invalid); undefined without one. */
function fromPlatform(planned: PlannedStage): Platform | undefined {
  if (!planned.platform) return undefined;
  try {
    return parsePlatform(planned.platform);
  } catch (e) {
    throw DockerfileError.at(planned.stage.from.location, (e as Error).message);
  }
}

/**
 * The platform each planned stage runs on, as BuildKit's dockerfile2llb
 * decides it: a stage built FROM an earlier stage runs on that stage's
 * platform; another on its FROM --platform, else the target's.
 */
export function stagePlatforms(plan: BuildPlan, target: Platform): Map<number, Platform> {
  const out = new Map<number, Platform>();
  for (const p of plan.stages) {
    const own = fromPlatform(p) ?? target;
    out.set(p.index, p.base.kind === 'stage' ? (out.get(p.base.index) ?? own) : own);
  }
  return out;
}

/**
 * The plan with the ONBUILD triggers of every needed base image: their
 * configs are fetched (in parallel; layers stay lazy), the plan is made
 * again while triggers add stages whose bases are not known yet.
 */
export async function planWithBaseImages(
  prepared: PreparedBuild,
  target: TargetPlan,
  baseImage: (ref: string, platform: Platform) => Promise<Image>,
): Promise<BuildPlan> {
  const triggers = new Map<number, readonly string[]>();
  let plan = target.plan;
  for (;;) {
    const pending = plan.stages.filter((p) => p.base.kind === 'image' && !triggers.has(p.index));
    if (pending.length === 0) return plan;
    await Promise.all(
      pending.map(async (p) => {
        if (p.base.kind !== 'image') return;
        const image = await baseImage(p.base.ref, fromPlatform(p) ?? target.platform);
        triggers.set(p.index, image.config.config.OnBuild ?? []);
      }),
    );
    if (pending.every((p) => triggers.get(p.index)!.length === 0)) return plan;
    plan = planStages(prepared.df, { ...target.planOptions, baseImageTriggers: triggers });
  }
}
