/**
 * The stage planner: which stages a build needs and in what order, each
 * with its base expanded against the global ARGs. A stage needs the stage it
 * is built FROM and every stage named by COPY --from or RUN --mount from=
 * (also inside ONBUILD triggers it runs). Stages the target does not need are
 * not built. Cycles, unknown targets and forward references are errors.
 */
import { parseReference } from '../image/reference.js';
import type { ParsedDockerfile, Stage } from './dockerfile.js';
import { parseOnbuildTrigger } from './dockerfile.js';
import { atLocation, DockerfileError, type Location } from './errors.js';
import { suggestion } from './instruction-parser.js';
import type { Instruction } from './instructions.js';
import type { ParseWarning } from './parser.js';
import { PLATFORM_ARG_NAMES, type PlatformSpec, parsePlatform, platformArgs } from './platform.js';
import { isProxyArg, resolveGlobalArgs } from './scope.js';
import { ShellLex } from './shell-lex.js';

export interface PlanOptions {
  /** `--target`: a stage name; default: the last stage. */
  target?: string;
  buildArgs: ReadonlyMap<string, string>;
  buildPlatform: PlatformSpec;
  targetPlatform: PlatformSpec;
  /**
   * The OnBuild triggers in the config of each image-based stage's base
   * image, by stage index, once known. Plan once without them (to fail
   * before any pull), then again with them: a trigger's COPY --from can add
   * a stage to the plan.
   */
  baseImageTriggers?: ReadonlyMap<number, readonly string[]>;
}

/** What a FROM, a COPY --from or a RUN --mount from= reads. */
export type StageSource =
  | { kind: 'scratch' }
  | { kind: 'stage'; index: number; name?: string }
  /** An image reference, expanded but not normalised (`alpine:3.20`). */
  | { kind: 'image'; ref: string };

export interface PlannedStage {
  index: number;
  name?: string;
  stage: Stage;
  base: StageSource;
  /** FROM --platform, expanded. */
  platform?: string;
  /** Earlier stages this one needs (its base and every --from), ascending. */
  dependsOn: number[];
  /** Images read by COPY --from / RUN --mount from= (not the base). */
  images: string[];
  /**
   * ONBUILD triggers to run before the stage's own instructions, typed, at
   * the FROM line: the base stage's ONBUILD instructions, or the base
   * image's triggers when given in baseImageTriggers.
   */
  onbuild: Instruction[];
}

export interface BuildPlan {
  /** Index of the target stage. */
  target: number;
  /** The stages to build, dependencies first (ascending index). */
  stages: PlannedStage[];
  /** Predefined platform ARGs and meta ARGs: pass to StageScope. */
  globalArgs: Map<string, string>;
  warnings: ParseWarning[];
}

/** Build args that are consumed without an ARG (no "unused" warning). */
function implicitArg(name: string): boolean {
  return (
    (PLATFORM_ARG_NAMES as readonly string[]).includes(name) ||
    isProxyArg(name) ||
    name === 'SOURCE_DATE_EPOCH' ||
    name.startsWith('BUILDKIT_')
  );
}

/** The last stage with this name (names are case-insensitive), among the first `before` stages. */
function stageByName(df: ParsedDockerfile, name: string, before = df.stages.length): Stage | undefined {
  const lower = name.toLowerCase();
  for (let i = before - 1; i >= 0; i--) if (df.stages[i]!.name === lower) return df.stages[i];
  return undefined;
}

function imageSource(ref: string, location: Location): StageSource {
  if (ref === 'scratch') return { kind: 'scratch' };
  atLocation(location, () => parseReference(ref));
  return { kind: 'image', ref };
}

function stageSource(s: Stage): StageSource {
  return s.name === undefined
    ? { kind: 'stage', index: s.index }
    : { kind: 'stage', index: s.index, name: s.name };
}

const NO_ENV = new Map<string, string>();

/**
 * Resolves COPY --from / RUN --mount from= the way BuildKit does: a number
 * is a stage index, a stage name (any earlier or later stage) is that stage,
 * anything else an image. Variables are not expanded in --from.
 */
export function resolveFrom(df: ParsedDockerfile, from: string, location: Location): StageSource {
  const lex = new ShellLex(df.escapeToken);
  const literal = atLocation(location, () => lex.processWord(from, NO_ENV));
  if (literal !== from) {
    throw DockerfileError.at(
      location,
      `variable expansion is not supported for --from (${from}): define a stage with FROM using a global ARG, then use its name`,
    );
  }
  if (/^[+-]?\d+$/.test(from)) {
    const index = Number(from);
    const stage = df.stages[index];
    if (!stage || !Number.isInteger(index)) {
      throw DockerfileError.at(
        location,
        `invalid stage index ${from} (stages are numbered 0 to ${df.stages.length - 1})`,
      );
    }
    return stageSource(stage);
  }
  const stage = stageByName(df, from);
  if (stage) return stageSource(stage);
  return imageSource(from, location);
}

interface Dep {
  index: number;
  location: Location;
}

export function planStages(df: ParsedDockerfile, opts: PlanOptions): BuildPlan {
  const { stages } = df;
  const warnings: ParseWarning[] = [];

  let target: Stage;
  if (opts.target === undefined || opts.target === '') {
    target = stages[stages.length - 1]!;
  } else {
    const found = stageByName(df, opts.target);
    if (!found) {
      const names = stages.flatMap((s) => (s.name ? [s.name] : []));
      throw new DockerfileError(
        df.file,
        undefined,
        `target stage ${JSON.stringify(opts.target)} could not be found${suggestion(opts.target, names)}` +
          (names.length
            ? ` (stages: ${names.join(', ')})`
            : ' (no stage has a name: use FROM image AS name)'),
      );
    }
    target = found;
  }

  const predefined = platformArgs(opts.buildPlatform, opts.targetPlatform, target.name ?? '', opts.buildArgs);
  const globalArgs = resolveGlobalArgs(df.metaArgs, opts.buildArgs, predefined, df.escapeToken);
  const lex = new ShellLex(df.escapeToken);

  const planned: PlannedStage[] = stages.map((stage) => {
    const loc = stage.from.location;
    const image = atLocation(loc, () => lex.processWord(stage.from.image, globalArgs));
    if (image === '') {
      throw DockerfileError.at(
        loc,
        `base name (${stage.from.image}) should not be blank: set the ARG it uses`,
      );
    }
    const baseStage = stageByName(df, image, stage.index);
    const base = baseStage ? stageSource(baseStage) : imageSource(image, loc);
    const p: PlannedStage = {
      index: stage.index,
      ...(stage.name === undefined ? {} : { name: stage.name }),
      stage,
      base,
      dependsOn: [],
      images: [],
      onbuild: [],
    };
    if (stage.from.platform !== undefined) {
      const expr = stage.from.platform;
      const platform = atLocation(loc, () => lex.processWord(expr, globalArgs));
      if (platform === '') throw DockerfileError.at(loc, `empty platform value from expression ${expr}`);
      atLocation(loc, () => parsePlatform(platform));
      p.platform = platform;
    }
    return p;
  });

  // --from dependencies of each stage's own instructions (all stages, like BuildKit).
  const depsOf = (p: PlannedStage, instrs: readonly Instruction[]): Dep[] => {
    const out: Dep[] = [];
    for (const instr of instrs) {
      const refs: string[] = [];
      if (instr.kind === 'copy' && instr.from !== undefined) refs.push(instr.from);
      if (instr.kind === 'run') for (const m of instr.mounts) if (m.from !== undefined) refs.push(m.from);
      for (const ref of refs) {
        const src = resolveFrom(df, ref, instr.location);
        if (src.kind === 'stage') out.push({ index: src.index, location: instr.location });
        else if (src.kind === 'image' && !p.images.includes(src.ref)) p.images.push(src.ref);
      }
    }
    return out;
  };
  const deps: Dep[][] = planned.map((p) => depsOf(p, p.stage.instructions));
  checkCycles(df, deps);

  // The stages the target needs; ONBUILD triggers of needed stages can add more.
  const needed = new Set<number>();
  const triggersLoaded = new Set<number>();
  // Depth-first with a stack of its own: a chain of thousands of stages must not overflow the call stack.
  const pending = [target.index];
  while (pending.length > 0) {
    const i = pending.pop()!;
    if (needed.has(i)) continue;
    needed.add(i);
    const p = planned[i]!;
    if (!triggersLoaded.has(i)) {
      triggersLoaded.add(i);
      const triggers =
        p.base.kind === 'stage'
          ? stages[p.base.index]!.instructions.flatMap((x) => (x.kind === 'onbuild' ? [x.expression] : []))
          : (opts.baseImageTriggers?.get(i) ?? []);
      p.onbuild = triggers.map((t) => parseOnbuildTrigger(t, p.stage.from.location));
      deps[i] = [...depsOf(p, p.onbuild), ...deps[i]!];
    }
    for (const d of [...deps[i]!].reverse()) pending.push(d.index);
    if (p.base.kind === 'stage') pending.push(p.base.index);
  }

  const result: PlannedStage[] = [];
  for (const p of planned) {
    if (!needed.has(p.index)) continue;
    for (const d of deps[p.index]!) {
      if (d.index >= p.index) {
        const from = stages[d.index]!;
        throw DockerfileError.at(
          d.location,
          `cannot copy from stage ${JSON.stringify(from.name ?? String(d.index))}, it needs to be defined before current stage ${JSON.stringify(p.name ?? String(p.index))}`,
        );
      }
    }
    const dependsOn = new Set(deps[p.index]!.map((d) => d.index));
    if (p.base.kind === 'stage') dependsOn.add(p.base.index);
    p.dependsOn = [...dependsOn].sort((a, b) => a - b);
    result.push(p);
  }

  const declared = new Set<string>();
  for (const a of df.metaArgs) for (const d of a.args) declared.add(d.name);
  for (const p of result) {
    for (const instr of [...p.onbuild, ...p.stage.instructions]) {
      if (instr.kind === 'arg') for (const d of instr.args) declared.add(d.name);
    }
  }
  for (const name of opts.buildArgs.keys()) {
    if (!declared.has(name) && !implicitArg(name)) {
      warnings.push({
        file: df.file,
        message: `build argument ${JSON.stringify(name)} is not used: no ARG ${name} in the stages built`,
      });
    }
  }

  return { target: target.index, stages: result, globalArgs, warnings };
}

/** Depth-first over the --from edges with explicit stacks (no recursion: chains may be thousands long). */
function checkCycles(df: ParsedDockerfile, deps: Dep[][]): void {
  const done = new Set<number>();
  const onPath: number[] = [];
  /** Position of each stage on the path. */
  const at = new Map<number, number>();
  /** The next edge to follow from each stage on the path. */
  const nextEdge: number[] = [];
  /** via[j]: where the edge from onPath[j] to onPath[j + 1] is written. */
  const via: Location[] = [];
  for (let root = 0; root < deps.length; root++) {
    if (done.has(root)) continue;
    onPath.push(root);
    at.set(root, 0);
    nextEdge.push(0);
    while (onPath.length > 0) {
      const top = onPath.length - 1;
      const i = onPath[top]!;
      const d = deps[i]![nextEdge[top]!];
      if (d === undefined) {
        onPath.pop();
        nextEdge.pop();
        at.delete(i);
        done.add(i);
        if (onPath.length > 0) via.pop();
        continue;
      }
      nextEdge[top]!++;
      const cycleAt = at.get(d.index);
      if (cycleAt !== undefined) {
        via.push(d.location);
        const names = [...onPath.slice(cycleAt), d.index].map((s) => df.stages[s]!.name ?? String(s));
        const path =
          names.length > 12
            ? [...names.slice(0, 5), `… ${names.length - 10} more …`, ...names.slice(-5)]
            : names;
        throw DockerfileError.at(
          via[cycleAt]!,
          `circular dependency detected on stage: ${names[0]} (${path.join(' -> ')}); a stage cannot copy from itself or from a stage that copies from it`,
        );
      }
      if (done.has(d.index)) continue;
      via.push(d.location);
      onPath.push(d.index);
      at.set(d.index, onPath.length - 1);
      nextEdge.push(0);
    }
  }
}
