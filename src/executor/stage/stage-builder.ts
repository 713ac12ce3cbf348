/**
 * One stage, from its base to its finished image: the base (scratch, an
 * image, an earlier stage), the ONBUILD triggers the planner found, then
 * each instruction expanded against the stage scope and dispatched — config
 * edits in place, RUN, COPY/ADD and WORKDIR as filesystem steps. The stage's
 * state (image, key, scope) lives here and nowhere else; steps get it and
 * give the next one back. Returns the finished stage and its step reports.
 */
import { baseKey, type LayerSettings } from '../../cache/key.js';
import type { ParsedDockerfile } from '../../dockerfile/dockerfile.js';
import { DockerfileError } from '../../dockerfile/errors.js';
import { expandInstruction } from '../../dockerfile/expand.js';
import { assertNever, type Instruction } from '../../dockerfile/instructions.js';
import { StageScope } from '../../dockerfile/scope.js';
import type { BuildPlan, PlannedStage, StageSource } from '../../dockerfile/stages.js';
import type { Compression } from '../../image/compression.js';
import { emptyImage, type Image } from '../../image/image.js';
import type { Platform } from '../../image/manifest.js';
import { formatPlatform } from '../../image/platform.js';
import type { StageRoot } from '../isolation/isolation.js';
import type { StepReport } from '../result.js';
import type { BuildSession } from '../session.js';
import { copyInstruction, type FromResolver } from '../steps/copy-instruction.js';
import { runInstruction } from '../steps/run-instruction.js';
import { workdirInstruction } from '../steps/workdir-instruction.js';
import {
  applyConfigInstruction,
  type ConfigInstruction,
  isConfigInstruction,
  type StageConfigState,
} from './config-edits.js';
import type { StepEnv, StepResult } from './step.js';

export interface FinishedStage {
  index: number;
  label: string;
  image: Image;
  /** Cache key of the stage's last step (what a stage built FROM it, or COPY --from it, chains on). */
  key: string;
  root: StageRoot;
  /** The scope at the end of the stage (a stage built FROM it starts from a clone). */
  scope: StageScope;
}

export interface StageJob {
  session: BuildSession;
  df: ParsedDockerfile;
  plan: BuildPlan;
  planned: PlannedStage;
  /** The stage's platform (FROM --platform, or the build's). */
  platform: Platform;
  /** Names the target platform in the stage's labels, when a build makes several (`[linux/arm64 app 2/4]`). */
  platformLabel?: string;
  from: FromResolver;
  /** The stages finished so far (every stage this one depends on is in it). */
  finished: ReadonlyMap<number, FinishedStage>;
}

interface StageState {
  image: Image;
  key: string;
  scope: StageScope;
}

/** Instructions BuildKit numbers (`[name 2/5]`): besides FROM of an image, those that change files. */
function counted(i: Instruction): boolean {
  return i.kind === 'run' || i.kind === 'copy' || i.kind === 'add' || i.kind === 'workdir';
}

export async function buildStage(job: StageJob): Promise<{ stage: FinishedStage; steps: StepReport[] }> {
  const { session, planned } = job;
  const stageName = planned.name ?? `stage-${planned.index}`;
  // Steps numbered as BuildKit does: FROM of an image is 1, then each RUN, COPY, ADD and WORKDIR.
  const instructions = [...planned.onbuild, ...planned.stage.instructions];
  const total = (planned.base.kind === 'image' ? 1 : 0) + instructions.filter(counted).length;
  let counter = 0;
  const shown = job.platformLabel ? `${job.platformLabel} ${stageName}` : stageName;
  const next = () => `[${shown} ${++counter}/${total}]`;
  const label = `[${shown}]`;
  const layerCompression: Compression =
    session.cache !== undefined || exportedStages(job.plan).has(planned.index)
      ? session.options.compression
      : 'none';
  const root = await session.isolation.createRoot(`stage-${planned.index}`);
  const fromStarted = Date.now();
  const fromLabel = planned.base.kind === 'image' ? next() : label;
  const { state, baseDigest } = await base(job, fromLabel);
  const config: StageConfigState = { scope: state.scope, cmdSet: false, created: session.created };
  const steps: StepReport[] = [
    {
      stage: stageName,
      step: planned.base.kind === 'image' ? 1 : 0,
      instruction: `FROM ${planned.stage.from.image}${baseDigest ? `@${baseDigest}` : ''}`,
      durationMs: Date.now() - fromStarted,
      cache: 'none',
    },
  ];
  for (const [i, instr] of instructions.entries()) {
    const started = Date.now();
    const x = expandInstruction(instr, state.scope);
    const text = x.original;
    let result: Pick<StepResult, 'cache' | 'reason' | 'layer'>;
    let step = 0;
    if (isConfigInstruction(x)) {
      state.image = applyConfigInstruction(state.image, x, config);
      result = { cache: 'none' };
    } else {
      const label = next();
      step = counter;
      session.log.info(`${label} ${text}`);
      session.log.progress?.(label, `${label} ${text}`);
      const runAhead = instructions.slice(i).some((n) => n.kind === 'run');
      const env: StepEnv = { session, label, layerCompression, root, runAhead, ...state };
      try {
        const r = await dispatch(env, x, job);
        state.image = r.image;
        state.key = r.key;
        result = r;
      } finally {
        session.log.progress?.(label, undefined);
      }
    }
    steps.push({
      stage: stageName,
      step,
      instruction: text,
      durationMs: Date.now() - started,
      cache: result.cache,
      ...(result.reason ? { cacheMissReason: result.reason } : {}),
      ...(result.layer ? { layer: { digest: result.layer.digest, size: result.layer.size } } : {}),
    });
    if (result.cache === 'hit') session.log.info(`[${shown} ${step}/${total}] CACHED ${text}`);
  }
  return { stage: { index: planned.index, label, root, ...state }, steps };
}

/** The stage's starting state: its base image, key and scope; and the base image's digest. */
async function base(job: StageJob, label: string): Promise<{ state: StageState; baseDigest?: string }> {
  const { session, planned, platform } = job;
  const settings: LayerSettings = {
    clampMtime: session.clampMtime,
    xattrs: session.xattrs !== undefined && !session.xattrs.unavailable,
  };
  const newScope = (baseEnv: string[]) =>
    StageScope.forImage({
      baseEnv,
      buildArgs: session.options.buildArgs,
      globalArgs: job.plan.globalArgs,
      escapeToken: job.df.escapeToken,
    });
  let state: StageState;
  const src = planned.base;
  switch (src.kind) {
    case 'scratch':
      // BuildKit starts a scratch stage in "/" (buildah leaves WorkingDir unset).
      state = {
        image: emptyImage(platform).withConfig((c) => {
          c.config.WorkingDir = '/';
        }),
        key: baseKey('scratch', formatPlatform(platform), settings),
        scope: newScope([]),
      };
      break;
    case 'image': {
      const image = await session.pullImage(src.ref, platform);
      state = {
        image,
        key: baseKey(image.digest(), formatPlatform(platform), settings),
        scope: newScope(image.config.config.Env ?? []),
      };
      break;
    }
    case 'stage': {
      const done = job.finished.get(src.index);
      if (!done) throw new Error(`internal: stage ${src.index} is not built yet`);
      state = { image: done.image, key: done.key, scope: done.scope.clone() };
      break;
    }
    default:
      assertNever(src as never);
  }
  const baseDigest = src.kind === 'image' ? state.image.digest() : undefined;
  session.log.info(`${label} FROM ${planned.stage.from.image}${baseDigest ? ` (${baseDigest})` : ''}`);
  // Triggers are consumed (the planner gave them as planned.onbuild); the image keeps only
  // this stage's own ONBUILD lines. PATH as BuildKit sets it.
  const env = state.scope.configEnv();
  state.image = state.image.withConfig((c) => {
    c.config.Env = env;
    delete c.config.OnBuild;
  });
  return { state, baseDigest };
}

async function dispatch(
  env: StepEnv,
  x: Exclude<Instruction, ConfigInstruction>,
  job: StageJob,
): Promise<StepResult> {
  try {
    switch (x.kind) {
      case 'run':
        return await runInstruction(env, x, job.df, job.from);
      case 'copy':
      case 'add':
        return await copyInstruction(env, x, job.df, job.from);
      case 'workdir':
        return await workdirInstruction(env, x);
      case 'from':
        throw DockerfileError.at(x.location, 'FROM inside a stage');
      default:
        return assertNever(x);
    }
  } catch (e) {
    throw located(e, x);
  }
}

/**
 * Stages whose layers end up in the result: the target and, transitively,
 * the stages it is built FROM. The others are only read through COPY --from.
 */
function exportedStages(plan: BuildPlan): Set<number> {
  const out = new Set<number>();
  const byIndex = new Map(plan.stages.map((s) => [s.index, s]));
  for (let i: number | undefined = plan.target; i !== undefined && !out.has(i); ) {
    out.add(i);
    const b: StageSource | undefined = byIndex.get(i)?.base;
    i = b?.kind === 'stage' ? b.index : undefined;
  }
  return out;
}

/** Errors of a step name its Dockerfile line unless they already do. */
function located(e: unknown, x: Instruction): unknown {
  if (e instanceof DockerfileError || !(e instanceof Error)) return e;
  const wrapped = DockerfileError.at(x.location, e.message);
  (wrapped as { cause?: unknown }).cause = e;
  return wrapped;
}
