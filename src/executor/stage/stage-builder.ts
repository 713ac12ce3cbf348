/**
 * One stage, from its base to its finished image: the base (scratch, an
 * image, an earlier stage), ONBUILD triggers, then each instruction expanded
 * against the stage scope and dispatched — config edits in place, RUN,
 * COPY/ADD and WORKDIR through the cache-aware filesystem step.
 */
import type { ChangeSet } from '../../archive/changes.js';
import { baseKey, type LayerSettings } from '../../cache/key.js';
import type { ParsedDockerfile } from '../../dockerfile/dockerfile.js';
import { parseOnbuildTrigger } from '../../dockerfile/dockerfile.js';
import { DockerfileError } from '../../dockerfile/errors.js';
import { expandInstruction } from '../../dockerfile/expand.js';
import { assertNever, type Instruction } from '../../dockerfile/instructions.js';
import { StageScope } from '../../dockerfile/scope.js';
import type { BuildPlan, PlannedStage, StageSource } from '../../dockerfile/stages.js';
import type { Compression } from '../../image/compression.js';
import { emptyImage, type Image } from '../../image/image.js';
import { formatPlatform, parsePlatform } from '../../image/platform.js';
import { createSnapshotter } from '../snapshot/select.js';
import type { Snapshotter } from '../snapshot/snapshot.js';
import { copyInstruction, type FromResolver } from '../steps/copy-instruction.js';
import { runInstruction } from '../steps/run-instruction.js';
import { workdirInstruction } from '../steps/workdir-instruction.js';
import type { BuildContext, FinishedStage } from './build-context.js';
import {
  applyConfigInstruction,
  type ConfigInstruction,
  isConfigInstruction,
  type StageConfigState,
} from './config-edits.js';
import { createStageDir, StageFilesystem } from './stage-fs.js';
import type { StageHost, StepOutcome } from './step.js';

export interface StageInput {
  ctx: BuildContext;
  df: ParsedDockerfile;
  plan: BuildPlan;
  planned: PlannedStage;
  /** 1-based position among the stages being built, and their count. */
  position: number;
  count: number;
  from: FromResolver;
  /** Scope of each finished stage (a stage built FROM it starts from a clone). */
  scopes: Map<number, StageScope>;
}

export class StageBuilder implements StageHost {
  readonly ctx: BuildContext;
  readonly label: string;
  readonly stageName: string;
  readonly layerCompression: Compression;
  image!: Image;
  fs!: StageFilesystem;
  scope!: StageScope;
  key = '';
  private snap: { snapshotter: Snapshotter; generation: number } | undefined;

  constructor(private readonly input: StageInput) {
    this.ctx = input.ctx;
    const p = input.planned;
    this.stageName = p.name ?? String(p.index);
    this.label = `[${p.name ?? `stage-${p.index}`} ${input.position}/${input.count}]`;
    this.layerCompression =
      this.ctx.cache !== undefined || exportedStages(input.plan).has(p.index)
        ? this.ctx.options.compression
        : 'none';
  }

  async ensureFs(): Promise<void> {
    await this.fs.materialize(this.image, this.label);
  }

  async snapshotter(): Promise<Snapshotter> {
    if (this.snap && this.snap.generation === this.fs.generation) return this.snap.snapshotter;
    const sandbox = await this.ctx.sandbox();
    const snapshotter = createSnapshotter(
      this.ctx.options.snapshotMode,
      sandbox.kind,
      await this.ctx.overlayProbe(),
      { rootfs: this.fs.dir, workDir: this.ctx.workspace.root, log: this.ctx.log },
    );
    this.snap = { snapshotter, generation: this.fs.generation };
    return snapshotter;
  }

  async noteChanges(changes: ChangeSet): Promise<void> {
    if (this.snap && this.snap.generation === this.fs.generation)
      await this.snap.snapshotter.noteChanges(changes);
  }

  private platformOf(): ReturnType<typeof parsePlatform> {
    const p = this.input.planned.platform;
    if (!p) return this.ctx.platform;
    try {
      return parsePlatform(p);
    } catch (e) {
      throw DockerfileError.at(this.input.planned.stage.from.location, (e as Error).message);
    }
  }

  private async base(): Promise<Instruction[]> {
    const { planned, ctx } = this.input;
    const platform = this.platformOf();
    const dir = await ctx.workspace.dir(`stage-${planned.index}`);
    await createStageDir(dir);
    this.fs = new StageFilesystem(dir, ctx.xattrs, ctx.log);
    const triggers: Instruction[] = [...planned.onbuild];
    const src = planned.base;
    switch (src.kind) {
      case 'scratch':
        // BuildKit starts a scratch stage in "/" (buildah leaves WorkingDir unset).
        this.image = emptyImage(platform).withConfig((c) => {
          c.config.WorkingDir = '/';
        });
        this.key = baseKey('scratch', formatPlatform(platform), this.layerSettings());
        this.scope = this.newScope([]);
        break;
      case 'image': {
        this.image = await ctx.pullImage(src.ref, platform);
        this.key = baseKey(this.image.digest(), formatPlatform(platform), this.layerSettings());
        this.scope = this.newScope(this.image.config.config.Env ?? []);
        for (const t of this.image.config.config.OnBuild ?? []) {
          triggers.push(parseOnbuildTrigger(t, planned.stage.from.location));
        }
        break;
      }
      case 'stage': {
        const done = ctx.stages.get(src.index);
        if (!done) throw new Error(`internal: stage ${src.index} is not built yet`);
        this.image = done.image;
        this.key = done.key;
        this.scope = this.input.scopes.get(src.index)!.clone();
        break;
      }
      default:
        assertNever(src as never);
    }
    ctx.log.info(
      `${this.label} FROM ${planned.stage.from.image}${src.kind === 'image' ? ` (${this.image.digest()})` : ''}`,
    );
    // Triggers are consumed; the image keeps only this stage's own ONBUILD lines. PATH as BuildKit sets it.
    const env = this.scope.configEnv();
    this.image = this.image.withConfig((c) => {
      c.config.Env = env;
      delete c.config.OnBuild;
    });
    return triggers;
  }

  private layerSettings(): LayerSettings {
    return {
      clampMtime: this.ctx.clampMtime,
      xattrs: this.ctx.xattrs !== undefined && !this.ctx.xattrs.unavailable,
    };
  }

  private newScope(baseEnv: string[]): StageScope {
    return StageScope.forImage({
      baseEnv,
      buildArgs: this.ctx.options.buildArgs,
      globalArgs: this.input.plan.globalArgs,
      escapeToken: this.input.df.escapeToken,
    });
  }

  async build(): Promise<FinishedStage> {
    const triggers = await this.base();
    const state: StageConfigState = { scope: this.scope, cmdSet: false, created: this.ctx.created };
    const instructions = [...triggers, ...this.input.planned.stage.instructions];
    let step = 0;
    for (const instr of instructions) {
      step++;
      const started = Date.now();
      const x = expandInstruction(instr, this.scope);
      const text = x.original;
      let outcome: StepOutcome;
      if (isConfigInstruction(x)) {
        this.image = applyConfigInstruction(this.image, x, state);
        outcome = { cache: 'none' };
      } else {
        this.ctx.log.info(`${this.label} ${text}`);
        this.ctx.log.progress?.(this.label, `${this.label} ${text}`);
        try {
          outcome = await this.dispatch(x);
        } finally {
          this.ctx.log.progress?.(this.label, undefined);
        }
      }
      const durationMs = Date.now() - started;
      this.ctx.steps.push({
        stage: this.stageName,
        step,
        instruction: text,
        durationMs,
        cache: outcome.cache,
        ...(outcome.reason ? { cacheMissReason: outcome.reason } : {}),
        ...(outcome.layer ? { layer: { digest: outcome.layer.digest, size: outcome.layer.size } } : {}),
      });
      if (outcome.cache === 'hit') this.ctx.log.info(`${this.label} CACHED ${text}`);
    }
    this.input.scopes.set(this.input.planned.index, this.scope);
    return { image: this.image, fs: this.fs, key: this.key, label: this.label };
  }

  private async dispatch(x: Exclude<Instruction, ConfigInstruction>): Promise<StepOutcome> {
    try {
      switch (x.kind) {
        case 'run':
          return await runInstruction(this, x);
        case 'copy':
        case 'add':
          return await copyInstruction(this, x, this.input.df, this.input.from);
        case 'workdir':
          return await workdirInstruction(this, x);
        case 'from':
          throw DockerfileError.at(x.location, 'FROM inside a stage');
        default:
          return assertNever(x);
      }
    } catch (e) {
      throw located(e, x);
    }
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
    const base: StageSource | undefined = byIndex.get(i)?.base;
    i = base?.kind === 'stage' ? base.index : undefined;
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
