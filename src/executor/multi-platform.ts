/**
 * The builds of every target platform, in one session: each target's plan
 * (with its base images' ONBUILD triggers, bases pulled for its platform)
 * becomes stage nodes, and a stage that would be built the same way for
 * several targets is one node built once. That is the cross-compile pattern
 * (`FROM --platform=$BUILDPLATFORM golang AS build`): the build stage runs
 * natively once and every target copies from it. A stage is the same for two
 * targets when it runs on the same platform, from the same base, with the
 * same ONBUILD triggers, the same values for the ARGs it declares
 * (TARGETARCH differs, BUILDARCH does not) and the same nodes below it —
 * BuildKit shares such work too, by deduplicating identical build steps.
 * All nodes are scheduled together (dependencies first, two at a time).
 */
import type { BuildPlan, PlannedStage } from '../dockerfile/stages.js';
import type { Image } from '../image/image.js';
import type { Platform } from '../image/manifest.js';
import { formatPlatform, hostPlatform } from '../image/platform.js';
import { checkEmulation } from './emulation-check.js';
import { type PreparedBuild, planWithBaseImages, stagePlatforms } from './plan.js';
import type { StepReport } from './result.js';
import { scheduleStages } from './schedule.js';
import type { BuildSession } from './session.js';
import { FromSources } from './stage/from-sources.js';
import { buildStage, type FinishedStage } from './stage/stage-builder.js';

/** One stage built once, for one or more targets. */
export interface StageNode {
  id: number;
  planned: PlannedStage;
  /** The platform the stage runs on (plan.ts stagePlatforms). */
  platform: Platform;
  /** The first target that needs it: its plan builds the node. */
  target: number;
  /** Every target that needs it. */
  users: Set<number>;
  /** Nodes it depends on. */
  deps: number[];
}

export interface StageGraph {
  nodes: StageNode[];
  /** Per target: stage index → node id. */
  nodeOf: Map<number, number>[];
}

/** A target's plan and platform. */
export interface PlannedTarget {
  platform: Platform;
  plan: BuildPlan;
}

/** What makes a stage the same for two targets (see the file comment). */
function signature(planned: PlannedStage, platform: Platform, deps: number[], plan: BuildPlan): string {
  const instructions = [...planned.onbuild, ...planned.stage.instructions];
  const declared = instructions.flatMap((i) => (i.kind === 'arg' ? i.args.map((a) => a.name) : []));
  return JSON.stringify([
    planned.index,
    formatPlatform(platform),
    planned.base,
    planned.onbuild.map((i) => i.original),
    deps,
    declared.map((name) => [name, plan.globalArgs.get(name) ?? null]),
  ]);
}

/** The stage nodes of every target, shared where a stage is the same for several. */
export function stageGraph(targets: readonly PlannedTarget[]): StageGraph {
  const nodes: StageNode[] = [];
  const bySignature = new Map<string, number>();
  const nodeOf = targets.map(() => new Map<number, number>());
  targets.forEach((t, ti) => {
    const mine = nodeOf[ti]!;
    const platforms = stagePlatforms(t.plan, t.platform);
    for (const planned of t.plan.stages) {
      const platform = platforms.get(planned.index)!;
      const deps = planned.dependsOn.map((d) => mine.get(d)!);
      const sig = signature(planned, platform, deps, t.plan);
      let id = bySignature.get(sig);
      if (id === undefined) {
        id = nodes.length;
        nodes.push({
          id,
          planned,
          platform,
          target: ti,
          users: new Set(),
          deps,
        });
        bySignature.set(sig, id);
      }
      nodes[id]!.users.add(ti);
      mine.set(planned.index, id);
    }
  });
  return { nodes, nodeOf };
}

export interface TargetImage {
  platform: Platform;
  /** The target stage's image (labels and the creation time not applied yet). */
  image: Image;
}

export interface PlatformBuilds {
  targets: TargetImage[];
  /** Every step run, in node order; a shared stage's once. With several targets each names its platform. */
  steps: StepReport[];
  /** Frees every stage root (nothing reads them once the images are made). Never rejects. */
  release(): Promise<unknown>;
}

/**
 * Each target's plan with its base images' ONBUILD triggers (bases pulled
 * for its platform, layers lazy), checked again for emulation: a trigger
 * can add a RUN.
 */
export async function planTargets(
  session: BuildSession,
  prepared: PreparedBuild,
  binfmtDir?: string,
): Promise<PlannedTarget[]> {
  const targets = await Promise.all(
    prepared.targets.map(async (t) => ({
      platform: t.platform,
      plan: await planWithBaseImages(prepared, t, (ref, platform) => session.pullImage(ref, platform)),
    })),
  );
  await checkEmulation(stageGraph(targets).nodes, hostPlatform(), session.log, binfmtDir);
  return targets;
}

/** Runs every target's stages in the session; a failure aborts the rest and is thrown. */
export async function buildPlatforms(
  session: BuildSession,
  prepared: PreparedBuild,
  targets: readonly PlannedTarget[],
): Promise<PlatformBuilds> {
  const graph = stageGraph(targets);
  // Choosing the RUN sandbox and probing overlay need nothing from the images: without a
  // cache, do both while the bases are extracted. With one, RUN steps may all be hits.
  const runs = graph.nodes.some((n) =>
    [...n.planned.onbuild, ...n.planned.stage.instructions].some((i) => i.kind === 'run'),
  );
  if (!session.cache && runs) session.isolation.warmUp();

  const several = targets.length > 1;
  const reports = new Map<number, StepReport[]>();
  const scheduled = graph.nodes.map((n) => ({ ...n.planned, index: n.id, dependsOn: n.deps }));
  const { finished } = await scheduleStages<FinishedStage>(
    scheduled,
    async (s, done) => {
      const node = graph.nodes[s.index]!;
      const { plan } = targets[node.target]!;
      const view = stagesOf(graph, node.target, done, plan);
      const { stage, steps } = await buildStage({
        session,
        df: prepared.df,
        plan,
        planned: node.planned,
        platform: node.platform,
        ...(several ? { platformLabel: nodeLabel(node, targets) } : {}),
        from: new FromSources(session, view, node.platform),
        finished: view,
      });
      const platform = formatPlatform(node.platform);
      reports.set(node.id, several ? steps.map((r) => ({ ...r, platform })) : steps);
      return stage;
    },
    session,
    // In place every stage root is `/`: one stage at a time.
    session.isolation.oneStageAtATime ? 1 : undefined,
  );
  return {
    targets: targets.map((t, ti) => {
      const id = graph.nodeOf[ti]!.get(t.plan.target);
      const stage = id === undefined ? undefined : finished.get(id);
      if (!stage)
        throw new Error(`internal: the target stage of ${formatPlatform(t.platform)} was not built`);
      return { platform: t.platform, image: stage.image };
    }),
    steps: graph.nodes.flatMap((n) => reports.get(n.id) ?? []),
    release: () => Promise.all([...finished.values()].map((s) => s.root.release())),
  };
}

/**
 * A target's finished stages by stage index. A stage built for another
 * target continues here with this target's global ARGs (an ARG declared
 * later, e.g. TARGETARCH, gets this target's value).
 */
function stagesOf(
  graph: StageGraph,
  target: number,
  done: ReadonlyMap<number, FinishedStage>,
  plan: BuildPlan,
): Map<number, FinishedStage> {
  const view = new Map<number, FinishedStage>();
  for (const [stageIndex, id] of graph.nodeOf[target]!) {
    const f = done.get(id);
    if (!f) continue;
    view.set(
      stageIndex,
      graph.nodes[id]!.target === target ? f : { ...f, scope: f.scope.clone(plan.globalArgs) },
    );
  }
  return view;
}

/** `linux/arm64` for one target's stage; the targets' platforms for a stage several share. */
function nodeLabel(node: StageNode, targets: readonly PlannedTarget[]): string {
  if (node.users.size === targets.length) return 'shared';
  return [...node.users].map((ti) => formatPlatform(targets[ti]!.platform)).join(',');
}
