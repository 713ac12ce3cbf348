/**
 * RUN --mount in an in-place build, where there is no mount namespace to
 * mount anything in (kaniko-fork style): for the RUN, what is at each
 * target moves aside (into the workspace) and the mount's content is put
 * there instead; afterwards the content goes and what was there comes back.
 * The snapshot that follows sees the root as it was, so nothing mounted
 * reaches a layer:
 *
 *  bind, writable (a cache mount, a `rw` bind's private copy, an SSH agent
 *          socket): the source itself is renamed to the target and back
 *          (what the RUN wrote stays in a cache); across filesystems (a
 *          --cache-dir volume) it is copied in and copied back
 *  bind, read-only (the context, a stage's or an image's files, a
 *          read-only cache): a copy, removed after; writes cannot be
 *          refused without a mount (the RUN runs as root), they are discarded
 *  tmpfs   an empty directory (mode 1777), removed after; no size limit
 *  file    a secret: written at its target with its mode and owner, removed
 *          right after the RUN (it is never in a layer or a log)
 *
 * Missing targets get stubs (mount-points.ts, as the walk snapshotter makes
 * them) that go again when the RUN left them empty. Kiln's own renames move
 * the times of the directories involved: those the RUN did not touch get
 * their mtime back, and are "settled" — the snapshot does not compare
 * their times (in-place-index.ts).
 *
 * A target that is, lies under or holds a kept path (a mount point of the
 * container, Kiln's own files) is refused: it cannot be moved aside.
 */
import {
  type BigIntStats,
  chmodSync,
  chownSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, posix } from 'node:path';
import { inRoot } from '../../fs/root-path.js';
import type { Logger } from '../../log.js';
import { copyWhole } from './in-place-clear.js';
import type { KeptPaths } from './kept-paths.js';
import { runMountPoints } from './mount-placement.js';
import { type CreatedStub, createStubs, planMountPoints, removeStubs } from './mount-points.js';
import { type RunMountSpec, SandboxError } from './sandbox.js';

export interface InPlaceMountOptions {
  /** The in-place root: '/'. */
  root: string;
  kept: KeptPaths;
  /** A new directory in the workspace (kept out of the build) for what the targets held. */
  holdDir(): Promise<string>;
  log: Logger;
}

export interface PlacedMounts {
  /**
   * Takes every mount back out and puts back what was at its target. Returns
   * the root-relative paths whose times only Kiln changed ("settled").
   * Throws when something mounted could not be taken out: the step must fail
   * then, rather than snapshot it.
   */
  remove(): Promise<Set<string>>;
}

/** How a mount's content got to its target (and so how it leaves). */
type Way = 'renamed' | 'copied-back' | 'copied' | 'made';

interface Placement {
  spec: RunMountSpec;
  rel: string;
  /** Below another RUN mount: in that mount's content, not in the root. */
  inMount: boolean;
  way?: Way;
  /** Where the target's own entry waits meanwhile. */
  hidden?: string;
  /** The hidden entry's times (restored after the renames moved them). */
  hiddenStat?: BigIntStats;
  /** A renamed source that was a directory: recreated when the RUN removed it. */
  sourceStat?: BigIntStats;
}

const NO_MOUNTS: PlacedMounts = { remove: async () => new Set() };

function isCrossDevice(e: unknown): boolean {
  return (e as NodeJS.ErrnoException).code === 'EXDEV';
}

function lstatBig(abs: string): BigIntStats | undefined {
  return lstatSync(abs, { bigint: true, throwIfNoEntry: false });
}

function nsToSeconds(ns: bigint): number {
  return Number(ns) / 1e9;
}

/** The kept path a target is, lies under or holds; undefined when it touches none. */
function keptConflict(kept: KeptPaths, rel: string): string | undefined {
  const covering = kept.covering(rel);
  if (covering !== undefined) return `/${covering}`;
  if (kept.holds(rel)) return kept.list().find((k) => k.startsWith(`/${rel}/`)) ?? `/${rel}/…`;
  return undefined;
}

export async function placeMounts(
  specs: readonly RunMountSpec[],
  opts: InPlaceMountOptions,
): Promise<PlacedMounts> {
  if (specs.length === 0) return NO_MOUNTS;
  const { root, kept } = opts;
  const points = await runMountPoints(specs);
  const plan = await planMountPoints(root, opts.log, points);
  const run = plan.targets.run ?? [];
  const placements: Placement[] = specs.map((spec, i) => ({ spec, rel: run[i]!.rel, inMount: false }));
  for (const p of placements) {
    p.inMount = placements.some((o) => o !== p && p.rel.startsWith(`${o.rel}/`));
    const conflict = p.inMount ? undefined : keptConflict(kept, p.rel);
    if (conflict !== undefined) {
      throw new SandboxError(
        `cannot mount at ${p.spec.target}: ${conflict} is kept out of this in-place build (a mount point of the container, or Kiln's own files), and an in-place RUN mount moves what is at its target aside; choose another target`,
      );
    }
  }
  const stubs = plan.stubs.filter((s) =>
    placements.some((p) => !p.inMount && (p.rel === s.rel || p.rel.startsWith(`${s.rel}/`))),
  );
  // Directories whose entries Kiln changes: the targets' parents that exist.
  const dirs = new Map<string, { before: BigIntStats; placed?: bigint }>();
  for (const p of placements) {
    if (p.inMount) continue;
    let d = dirname(p.rel) === '.' ? '' : dirname(p.rel);
    while (d !== '' && stubs.some((s) => s.rel === d)) d = dirname(d) === '.' ? '' : dirname(d);
    const before = lstatBig(inRoot(root, d));
    if (before && !dirs.has(d)) dirs.set(d, { before });
  }
  const { created } = await createStubs(root, stubs);
  const hold = await opts.holdDir();
  const done: Placement[] = [];
  const placed: PlacedMounts = {
    remove: async () => {
      const settled = await takeOut(root, done, created, dirs);
      rmSync(hold, { recursive: true, force: true });
      return settled;
    },
  };
  try {
    // Outer targets first: a nested one goes into its outer mount's content.
    const order = [...placements].sort((a, b) => a.rel.split('/').length - b.rel.split('/').length);
    for (const [i, p] of order.entries()) {
      const abs = inRoot(root, p.rel);
      if (p.inMount) makeMountPoint(abs, points[placements.indexOf(p)]!.type);
      p.hiddenStat = lstatBig(abs);
      if (p.hiddenStat) p.hidden = hide(abs, `${hold}/${i}`);
      done.push(p);
      p.way = putContent(p.spec, abs, p);
    }
  } catch (e) {
    await placed.remove().catch(() => undefined);
    throw e instanceof SandboxError
      ? e
      : new SandboxError(`cannot set up the RUN mounts in place: ${(e as Error).message}`);
  }
  for (const [d, t] of dirs) t.placed = lstatBig(inRoot(root, d))?.mtimeNs;
  return placed;
}

/** A mount point inside another mount's content (as the namespace sandbox makes it). */
function makeMountPoint(abs: string, type: 'dir' | 'file'): void {
  if (lstatBig(abs)) return;
  if (type === 'dir') {
    mkdirSync(abs, { recursive: true, mode: 0o755 });
    return;
  }
  mkdirSync(dirname(abs), { recursive: true, mode: 0o755 });
  writeFileSync(abs, '', { mode: 0o644 });
}

/** Moves the entry at `abs` into the workspace (or beside itself, across filesystems). */
function hide(abs: string, to: string): string {
  try {
    renameSync(abs, to);
    return to;
  } catch (e) {
    if (!isCrossDevice(e)) throw e;
  }
  const beside = `${dirname(abs)}/.kiln-mount-hidden-${posix.basename(to)}-${process.pid}`;
  renameSync(abs, beside);
  return beside;
}

function putContent(spec: RunMountSpec, abs: string, p: Placement): Way {
  switch (spec.kind) {
    case 'bind': {
      if (!spec.readonly) {
        p.sourceStat = lstatBig(spec.source);
        try {
          renameSync(spec.source, abs);
          return 'renamed';
        } catch (e) {
          if (!isCrossDevice(e)) throw e;
        }
        if (p.sourceStat?.isSocket()) {
          // An agent socket cannot be copied: the RUN reaches it through a link.
          symlinkSync(spec.source, abs);
          return 'made';
        }
        copyWhole(spec.source, abs);
        return 'copied-back';
      }
      copyWhole(spec.source, abs);
      return 'copied';
    }
    case 'tmpfs':
      mkdirSync(abs);
      chmodSync(abs, 0o1777);
      return 'made';
    case 'file':
      writeFileSync(abs, spec.data, { flag: 'wx', mode: 0o600 });
      chownSync(abs, spec.uid, spec.gid);
      chmodSync(abs, spec.mode & 0o7777);
      return 'made';
    default: {
      const never: never = spec;
      throw new Error(`unhandled mount ${JSON.stringify(never)}`);
    }
  }
}

/** What the RUN left at a renamed source's target goes back to the source. */
function giveBack(p: Placement, abs: string, source: string, copied: boolean): void {
  const now = lstatBig(abs);
  if (!now) {
    // The RUN removed the mount point itself: the source is empty now.
    if (p.sourceStat?.isDirectory()) {
      if (copied) rmSync(source, { recursive: true, force: true });
      mkdirSync(source);
      chownSync(source, Number(p.sourceStat.uid), Number(p.sourceStat.gid));
      chmodSync(source, Number(p.sourceStat.mode & 0o7777n));
    }
    return;
  }
  if (!copied) {
    renameSync(abs, source);
    return;
  }
  rmSync(source, { recursive: true, force: true });
  copyWhole(abs, source);
  rmSync(abs, { recursive: true, force: true });
}

async function takeOut(
  root: string,
  done: Placement[],
  created: CreatedStub[],
  dirs: Map<string, { before: BigIntStats; placed?: bigint }>,
): Promise<Set<string>> {
  const problems: string[] = [];
  const settled = new Set<string>();
  // Directories the RUN itself added entries to, or removed some from, are not settled.
  const untouched = [...dirs].filter(([d, t]) => lstatBig(inRoot(root, d))?.mtimeNs === t.placed);
  for (const p of [...done].reverse()) {
    const abs = inRoot(root, p.rel);
    try {
      const spec = p.spec;
      if (p.way === 'renamed' || p.way === 'copied-back') {
        if (spec.kind === 'bind') giveBack(p, abs, spec.source, p.way === 'copied-back');
      } else if (p.way !== undefined) {
        rmSync(abs, { recursive: true, force: true });
      }
      if (lstatBig(abs)) throw new Error(`${abs} is still there`);
      if (p.hidden && p.hiddenStat) {
        renameSync(p.hidden, abs);
        const st = lstatBig(abs);
        if (st && st.mtimeNs !== p.hiddenStat.mtimeNs)
          lutimesSync(abs, nsToSeconds(p.hiddenStat.atimeNs), nsToSeconds(p.hiddenStat.mtimeNs));
        if (!p.inMount) settled.add(p.rel);
      }
    } catch (e) {
      problems.push(`${p.spec.target}: ${(e as Error).message}`);
    }
  }
  await removeStubs(root, created).catch((e: Error) => problems.push(`mount points: ${e.message}`));
  for (const [d, t] of untouched) {
    try {
      lutimesSync(inRoot(root, d), nsToSeconds(t.before.atimeNs), nsToSeconds(t.before.mtimeNs));
      settled.add(d);
    } catch {
      // gone (the RUN removed it): the snapshot says so
    }
  }
  if (problems.length) {
    throw new SandboxError(
      `cannot take the RUN mounts back out of the in-place root (${problems.join('; ')}); the step fails so that nothing mounted reaches a layer`,
    );
  }
  return settled;
}
